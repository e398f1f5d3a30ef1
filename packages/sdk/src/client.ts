import { CustosApiError, CustosNetworkError, parseProblem } from './errors.js';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';
import type {
  AnswerTransferNoticeRequest,
  ApprovePurposeRequest,
  Channel,
  CheckConsentRequest,
  CheckConsentResponse,
  CollectCustomerDataRequest,
  CollectCustomerDataResponse,
  ConsentIdsResponse,
  ConsentStatisticsResponse,
  CreateChannelRequest,
  CreateNoticeRequest,
  CreatePurposeRequest,
  CustomerConsents,
  ImportCustomerDataRequest,
  ImportCustomerDataResponse,
  ItemsResponse,
  ListNoticesQuery,
  ListPurposesQuery,
  MyTransferNotice,
  Notice,
  PortalOverview,
  PublishedNotice,
  Purpose,
  RecordConsentRequest,
  RejectPurposeRequest,
  RequestPortalCodeRequest,
  RequestPortalCodeResponse,
  UpdateNoticeRequest,
  VerifyPortalCodeRequest,
  VerifyPortalCodeResponse,
  WithdrawConsentRequest,
  WithdrawMyConsentRequest,
} from './types.js';

/** The `fetch` the client calls; the global one by default. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface CustosClientOptions {
  /** Origin (and optional path prefix) of the Custos server, e.g. `https://custos.example.com`. */
  baseUrl: string;
  /** A staff API token or a portal session token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A channel's public key, sent as `X-Custos-Channel-Key` on collectCustomerData. */
  channelKey?: string;
  fetch?: FetchLike;
  /**
   * Whether the browser sends cookies. Default `same-origin`: the portal's and the console's
   * cookies go to their own server; a widget on another origin sends none.
   */
  credentials?: RequestCredentials;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

type Query = Record<string, string | undefined>;

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

const seg = (v: string) => encodeURIComponent(v);

/**
 * A typed client of the Custos HTTP API: one method per operation of the contract, named after
 * its operationId. Non-2xx responses throw {@link CustosApiError}; requests that get no response
 * throw {@link CustosNetworkError}.
 */
export function createCustosClient(options: CustosClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  let token = options.token;
  const channelKey = options.channelKey;
  const credentials = options.credentials ?? 'same-origin';
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request<T>(spec: RequestSpec): Promise<T> {
    let url = base + spec.path;
    if (spec.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(spec.query)) if (v !== undefined) q.set(k, v);
      const qs = q.toString();
      if (qs) url += `?${qs}`;
    }
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...spec.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method: spec.method, headers, credentials };
    if (spec.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    if (spec.signal) init.signal = spec.signal;

    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (err) {
      throw new CustosNetworkError(`${spec.method} ${spec.path}: no response (${err instanceof Error ? err.message : String(err)})`, {
        cause: err,
      });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new CustosNetworkError(`${spec.method} ${spec.path}: response cut off`, { cause: err });
    }
    if (!res.ok) throw new CustosApiError(parseProblem(res.status, res.statusText, text));
    if (res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CustosApiError({
        type: 'about:blank',
        title: 'Response is not JSON',
        status: res.status,
        code: 'bad_response',
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }

  return {
    /** Replaces (or, with undefined, removes) the bearer token of later calls. */
    setToken(next: string | undefined): void {
      token = next;
    },

    // -- Public ---------------------------------------------------------------------------------

    /** `GET /api/v1/public/purposes/:code/notice`. 404 when the purpose has no active version with a published notice. */
    getPublishedNotice(purposeCode: string, opts?: CallOptions): Promise<PublishedNotice> {
      return request({ method: 'GET', path: `/api/v1/public/purposes/${seg(purposeCode)}/notice`, signal: opts?.signal });
    },

    /**
     * `POST /api/v1/collections`. `idempotencyKey` (8-128 of [A-Za-z0-9_-]) makes a retry of the
     * same body return the same result; reuse it only to retry the very same submission.
     */
    async collectCustomerData(
      body: CollectCustomerDataRequest,
      idempotencyKey: string,
      opts?: CallOptions,
    ): Promise<CollectCustomerDataResponse> {
      if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
        throw new RangeError('idempotencyKey must be 8-128 characters of A-Z, a-z, 0-9, _ and -');
      }
      const headers: Record<string, string> = { 'Idempotency-Key': idempotencyKey };
      if (channelKey) headers['X-Custos-Channel-Key'] = channelKey;
      return request({ method: 'POST', path: '/api/v1/collections', body, headers, signal: opts?.signal });
    },

    // -- Portal ---------------------------------------------------------------------------------

    /** `POST /api/v1/portal/challenges`: always 202, also for contacts the server does not know. */
    requestPortalCode(body: RequestPortalCodeRequest, opts?: CallOptions): Promise<RequestPortalCodeResponse> {
      return request({ method: 'POST', path: '/api/v1/portal/challenges', body, signal: opts?.signal });
    },

    /** `POST /api/v1/portal/sessions`: sets the HTTP-only `custos_portal` cookie. 400 wrong code, 429 after 5 tries. */
    verifyPortalCode(body: VerifyPortalCodeRequest, opts?: CallOptions): Promise<VerifyPortalCodeResponse> {
      return request({ method: 'POST', path: '/api/v1/portal/sessions', body, signal: opts?.signal });
    },

    /** `GET /api/v1/portal/me`. */
    getPortalOverview(opts?: CallOptions): Promise<PortalOverview> {
      return request({ method: 'GET', path: '/api/v1/portal/me', signal: opts?.signal });
    },

    /** `POST /api/v1/portal/withdrawals`. */
    withdrawMyConsent(body: WithdrawMyConsentRequest, opts?: CallOptions): Promise<ConsentIdsResponse> {
      return request({ method: 'POST', path: '/api/v1/portal/withdrawals', body, signal: opts?.signal });
    },

    /** `GET /api/v1/portal/transfer-notices`: the signed-in customer's transfer notices, newest first. */
    listMyTransferNotices(opts?: CallOptions): Promise<ItemsResponse<MyTransferNotice>> {
      return request({ method: 'GET', path: '/api/v1/portal/transfer-notices', signal: opts?.signal });
    },

    /** `POST /api/v1/portal/transfer-notices/answers`: consent or object (409 once the transfer was executed). */
    answerTransferNotice(body: AnswerTransferNoticeRequest, opts?: CallOptions): Promise<MyTransferNotice> {
      return request({ method: 'POST', path: '/api/v1/portal/transfer-notices/answers', body, signal: opts?.signal });
    },

    /** `POST /api/v1/portal/logout` (204). */
    async portalLogout(opts?: CallOptions): Promise<void> {
      await request<undefined>({ method: 'POST', path: '/api/v1/portal/logout', signal: opts?.signal });
    },

    // -- Staff: purposes ------------------------------------------------------------------------

    createPurpose(body: CreatePurposeRequest, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: '/api/v1/purposes', body, signal: opts?.signal });
    },

    /** Newest version first per code. */
    listPurposes(query: ListPurposesQuery = {}, opts?: CallOptions): Promise<ItemsResponse<Purpose>> {
      return request({ method: 'GET', path: '/api/v1/purposes', query: { status: query.status, code: query.code }, signal: opts?.signal });
    },

    /** `id` is a purpose version's id. */
    submitPurpose(id: string, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: `/api/v1/purposes/${seg(id)}/submit`, signal: opts?.signal });
    },

    /** By a compliance officer who is not the author. */
    approvePurpose(id: string, body: ApprovePurposeRequest = {}, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: `/api/v1/purposes/${seg(id)}/approve`, body, signal: opts?.signal });
    },

    /** Back to draft. */
    rejectPurpose(id: string, body: RejectPurposeRequest, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: `/api/v1/purposes/${seg(id)}/reject`, body, signal: opts?.signal });
    },

    /** The previous active version becomes retired. */
    activatePurpose(id: string, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: `/api/v1/purposes/${seg(id)}/activate`, signal: opts?.signal });
    },

    retirePurpose(id: string, opts?: CallOptions): Promise<Purpose> {
      return request({ method: 'POST', path: `/api/v1/purposes/${seg(id)}/retire`, signal: opts?.signal });
    },

    // -- Staff: notices -------------------------------------------------------------------------

    createNotice(body: CreateNoticeRequest, opts?: CallOptions): Promise<Notice> {
      return request({ method: 'POST', path: '/api/v1/notices', body, signal: opts?.signal });
    },

    /** Drafts only (409 otherwise). */
    updateNotice(id: string, body: UpdateNoticeRequest, opts?: CallOptions): Promise<Notice> {
      return request({ method: 'PUT', path: `/api/v1/notices/${seg(id)}`, body, signal: opts?.signal });
    },

    /** 422 with problems such as `{ field: 'content.en.retention', reason: 'missing' }` when incomplete. */
    publishNotice(id: string, opts?: CallOptions): Promise<Notice> {
      return request({ method: 'POST', path: `/api/v1/notices/${seg(id)}/publish`, signal: opts?.signal });
    },

    listNotices(query: ListNoticesQuery = {}, opts?: CallOptions): Promise<ItemsResponse<Notice>> {
      return request({ method: 'GET', path: '/api/v1/notices', query: { purposeCode: query.purposeCode }, signal: opts?.signal });
    },

    // -- Staff: channels ------------------------------------------------------------------------

    createChannel(body: CreateChannelRequest, opts?: CallOptions): Promise<Channel> {
      return request({ method: 'POST', path: '/api/v1/channels', body, signal: opts?.signal });
    },

    listChannels(opts?: CallOptions): Promise<ItemsResponse<Channel>> {
      return request({ method: 'GET', path: '/api/v1/channels', signal: opts?.signal });
    },

    // -- Staff: imports and consents ------------------------------------------------------------

    importCustomerData(body: ImportCustomerDataRequest, opts?: CallOptions): Promise<ImportCustomerDataResponse> {
      return request({ method: 'POST', path: '/api/v1/imports', body, signal: opts?.signal });
    },

    recordConsent(customerId: string, body: RecordConsentRequest, opts?: CallOptions): Promise<ConsentIdsResponse> {
      return request({ method: 'POST', path: `/api/v1/customers/${seg(customerId)}/consents`, body, signal: opts?.signal });
    },

    withdrawConsent(customerId: string, body: WithdrawConsentRequest, opts?: CallOptions): Promise<ConsentIdsResponse> {
      return request({ method: 'POST', path: `/api/v1/customers/${seg(customerId)}/consents/withdraw`, body, signal: opts?.signal });
    },

    listCustomerConsents(customerId: string, opts?: CallOptions): Promise<CustomerConsents> {
      return request({ method: 'GET', path: `/api/v1/customers/${seg(customerId)}/consents`, signal: opts?.signal });
    },

    checkConsent(body: CheckConsentRequest, opts?: CallOptions): Promise<CheckConsentResponse> {
      return request({ method: 'POST', path: '/api/v1/consent-checks', body, signal: opts?.signal });
    },

    getConsentStatistics(opts?: CallOptions): Promise<ConsentStatisticsResponse> {
      return request({ method: 'GET', path: '/api/v1/consent-statistics', signal: opts?.signal });
    },
  };
}

export type CustosClient = ReturnType<typeof createCustosClient>;
