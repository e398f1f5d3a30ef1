/**
 * `<custos-consent>`: shows a purpose's published notice and collects a customer's data with
 * consent (general, plus a separate consent per sensitive category). No framework; open Shadow DOM.
 *
 * Attributes: `api-base` (Custos server URL; default: this page's origin), `purpose` (purpose
 * code), `channel-key` (the channel's public key), `lang` (`zh-CN` default, or `en`).
 * Events (bubbling, composed): `custos-loaded` (detail: the published notice), `custos-submitted`
 * (detail: the collectCustomerData response), `custos-error` (detail: the problem).
 * The host's `data-state` is `loading`, `ready`, `submitting`, `submitted` or `failed`.
 */
import { canonicalJson, sha256Hex } from './canonical.js';
import { createCustosClient } from './client.js';
import {
  CONSENT_FIELD,
  WIDGET_TEXT,
  autocompleteFor,
  emptyFormState,
  formLabels,
  formSnapshot,
  inputTypeFor,
  isSensitive,
  prepareSubmission,
  problemTarget,
  type FormState,
  type WidgetText,
} from './consent-form.js';
import { h, idPart } from './dom.js';
import { CustosApiError, CustosNetworkError } from './errors.js';
import { newIdempotencyKey } from './idempotency.js';
import { normaliseLang, reasonMessage } from './messages.js';
import type { CollectCustomerDataRequest, CollectCustomerDataResponse, Lang, Problem, ProblemItem, PublishedNotice } from './types.js';

export type ConsentWidgetState = 'loading' | 'ready' | 'submitting' | 'submitted' | 'failed';

const CSS = `
:host{display:block;font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328;--custos-accent:#1456c8;--custos-error:#b42318}
:host([hidden]){display:none}
*{box-sizing:border-box}
.c{max-width:44rem}
.bar{display:flex;justify-content:flex-end}
h2{font-size:1.25em;margin:.25em 0}
h3{font-size:1.05em;margin:1em 0 .25em}
.sub{color:#59636e;font-size:.875em;margin:0 0 .5em}
dl{margin:0}
dt{font-weight:600;margin-top:.5em}
dd{margin:0;white-space:pre-line}
ul{margin:.25em 0;padding-left:1.25em}
form{margin-top:1em}
fieldset{border:1px solid #d1d9e0;border-radius:6px;padding:.75em 1em;margin:0 0 1em}
legend{font-weight:600;padding:0 .25em}
.f{margin:.5em 0 1em}
.f>label{display:block;font-weight:500}
input[type=text],input[type=email],input[type=tel],input[type=date]{font:inherit;width:100%;padding:.4em .6em;border:1px solid #8c959f;border-radius:6px;background:#fff;color:inherit}
.chk{display:flex;gap:.5em;align-items:flex-start;margin:.5em 0}
.chk input{width:1.1em;height:1.1em;margin-top:.25em;flex:none}
.why{font-size:.875em;color:#59636e;margin:.25em 0 0 1.6em;white-space:pre-line}
.err{color:var(--custos-error);font-size:.875em;margin:.25em 0 0}
[aria-invalid=true]{border-color:var(--custos-error)!important;outline-color:var(--custos-error)}
button{font:inherit;cursor:pointer;border-radius:6px;padding:.45em 1.1em;border:1px solid var(--custos-accent)}
button[type=submit]{background:var(--custos-accent);color:#fff}
button[type=button]{background:#fff;color:var(--custos-accent);padding:.2em .8em}
button:disabled{opacity:.6;cursor:default}
:focus-visible{outline:3px solid var(--custos-accent);outline-offset:2px}
.st{margin-top:.75em;white-space:pre-line}
.st:empty{display:none}
.st[data-kind=error]{color:var(--custos-error)}
.st[data-kind=success]{color:#1a7f37;font-weight:500}
`;

let sheet: CSSStyleSheet | null | undefined;
function adoptableSheet(): CSSStyleSheet | null {
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    } catch {
      sheet = null;
    }
  }
  return sheet;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A problem for failures that came without one (network, unexpected errors). */
function toProblem(err: unknown): Problem {
  if (err instanceof CustosApiError) return err.problem;
  const network = err instanceof CustosNetworkError;
  return {
    type: 'about:blank',
    title: network ? 'Network error' : 'Error',
    status: 0,
    code: network ? 'network_error' : 'client_error',
    detail: err instanceof Error ? err.message : String(err),
  };
}

export class CustosConsentElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['api-base', 'purpose', 'channel-key', 'lang'];
  }

  /** Waits before the automatic retries of a submission that got no response (same idempotency key). */
  retryDelays: number[] = [400, 1500];

  private readonly root: ShadowRoot;
  private readonly status: HTMLElement;
  private data: PublishedNotice | null = null;
  private form: FormState = emptyFormState();
  /** Reason codes by field code (or `consent`). */
  private errors: Record<string, string[]> = {};
  private message: { kind: 'info' | 'error' | 'success'; text: (t: WidgetText, lang: Lang) => string } | null = null;
  private phase: ConsentWidgetState = 'loading';
  private loadSeq = 0;
  private loadQueued = false;
  /** `api-base` and `purpose` of the notice shown (or being loaded). */
  private loadedFor = '';

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const s = adoptableSheet();
    if (s) this.root.adoptedStyleSheets = [s];
    else this.root.append(h('style', {}, CSS));
    this.status = h('div', { class: 'st', role: 'status', 'aria-live': 'polite', 'data-testid': 'result' });
  }

  /** The language shown. */
  get language(): Lang {
    return normaliseLang(this.getAttribute('lang'));
  }

  /** The widget's state (also the host's `data-state`). */
  get state(): ConsentWidgetState {
    return this.phase;
  }

  connectedCallback(): void {
    this.render();
    // Moved within the page: keep what was loaded and typed.
    if (!this.data || this.loadedFor !== this.source()) this.queueLoad();
  }

  disconnectedCallback(): void {
    this.loadSeq++; // drop a load still in flight
    this.loadQueued = false;
    if (this.phase === 'loading') this.loadedFor = '';
  }

  private source(): string {
    return `${this.getAttribute('api-base') ?? ''} ${this.getAttribute('purpose') ?? ''}`;
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === 'lang') {
      const hadFocus = this.root.activeElement?.getAttribute('data-testid') === 'lang-toggle';
      this.render();
      if (hadFocus) this.q('lang-toggle')?.focus();
    } else if (name === 'api-base' || name === 'purpose') {
      this.queueLoad();
    }
  }

  /** Loads the notice again (e.g. after the purpose changed). Entered values are kept; ticks are not. */
  reload(): Promise<void> {
    return this.load(true);
  }

  /** Back to an empty form for another submission. */
  reset(): void {
    this.form = emptyFormState();
    this.errors = {};
    this.message = null;
    if (this.data) this.phase = 'ready';
    this.render();
  }

  private q(testId: string): HTMLElement | null {
    return this.root.querySelector(`[data-testid="${testId}"]`);
  }

  private client() {
    const opts: Parameters<typeof createCustosClient>[0] = { baseUrl: this.getAttribute('api-base') ?? '', credentials: 'omit' };
    const key = this.getAttribute('channel-key');
    if (key) opts.channelKey = key;
    return createCustosClient(opts);
  }

  private emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private queueLoad(): void {
    if (this.loadQueued) return;
    this.loadQueued = true;
    queueMicrotask(() => {
      if (!this.loadQueued) return;
      this.loadQueued = false;
      void this.load(false);
    });
  }

  private async load(keepValues: boolean): Promise<void> {
    const seq = ++this.loadSeq;
    const purpose = this.getAttribute('purpose');
    this.loadedFor = this.source();
    if (!purpose) return;
    if (!keepValues) this.data = null; // another purpose: its notice is not this one
    this.phase = 'loading';
    this.message = { kind: 'info', text: (t) => t.loading };
    this.render();
    try {
      const data = await this.client().getPublishedNotice(purpose);
      if (seq !== this.loadSeq) return;
      this.data = data;
      // Ticks were given to the notice shown before; a new notice needs them again.
      this.form = { values: keepValues ? this.form.values : {}, general: false, separate: {} };
      this.errors = {};
      this.message = null;
      this.phase = 'ready';
      this.render();
      this.emit('custos-loaded', data);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      const problem = toProblem(err);
      this.data = null;
      this.phase = 'failed';
      this.message = { kind: 'error', text: (t) => (problem.status === 404 ? t.notFound : t.loadFailed) };
      this.render();
      this.emit('custos-error', problem);
    }
  }

  /**
   * Builds the shadow tree for the current notice and language. The status region is one node
   * that stays, so screen readers announce its changes; {@link update} patches the rest in place
   * (so focus stays where it is while submitting).
   */
  private render(): void {
    const lang = this.language;
    const t = WIDGET_TEXT[lang];
    const toggle = h(
      'button',
      { type: 'button', 'data-testid': 'lang-toggle', lang: lang === 'en' ? 'zh-CN' : 'en', part: 'lang-toggle' },
      t.langToggle,
    );
    toggle.addEventListener('click', () => this.setAttribute('lang', lang === 'en' ? 'zh-CN' : 'en'));
    const container = h('div', { class: 'c', lang, part: 'container' }, h('div', { class: 'bar' }, toggle));
    const data = this.data;
    if (data) container.append(this.renderNotice(data, lang, t), this.renderForm(data, lang, t));
    container.append(this.status);
    this.root.querySelector('.c')?.remove();
    this.root.append(container);
    this.update();
  }

  /** Brings errors, disabled states, the submit button and the status region in line with the state. */
  private update(): void {
    const lang = this.language;
    const t = WIDGET_TEXT[lang];
    this.setAttribute('data-state', this.phase);
    this.status.setAttribute('data-kind', this.message?.kind ?? 'info');
    this.status.textContent = this.message ? this.message.text(t, lang) : '';
    const form = this.root.querySelector('form');
    if (!form || !this.data) return;
    const busy = this.phase === 'submitting';
    const locked = busy || this.phase === 'submitted';
    if (busy) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
    for (const el of form.querySelectorAll<HTMLInputElement>('input')) el.disabled = locked;
    const submit = this.q('submit') as HTMLButtonElement;
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    submit.setAttribute('aria-disabled', String(locked));
    submit.textContent = busy ? t.submitting : t.submit;

    const fieldKeys = [...this.data.purpose.fields.map((f) => f.code), CONSENT_FIELD];
    for (const code of fieldKeys) {
      const id = code === CONSENT_FIELD ? 'consent' : idPart(code);
      const errs = this.errors[code] ?? [];
      const err = this.root.getElementById(`e-${id}`);
      if (!err) continue;
      err.textContent = errs.map((r) => reasonMessage(r, lang)).join('；');
      err.hidden = errs.length === 0;
      const input = code === CONSENT_FIELD ? this.root.getElementById('consent-general') : this.root.getElementById(`f-${id}`);
      const box = code === CONSENT_FIELD ? null : this.root.getElementById(`s-${id}`);
      // A missing separate tick is the box's problem, not the value's.
      const tick = errs.includes('separate_consent_required');
      setInvalid(
        input,
        errs.some((r) => r !== 'separate_consent_required'),
        `e-${id}`,
      );
      setInvalid(box, tick, `e-${id}`);
    }
  }

  private renderNotice(data: PublishedNotice, lang: Lang, t: WidgetText): HTMLElement {
    const c = data.notice.content[lang];
    const dl = h('dl');
    for (const k of ['purpose', 'method', 'scope', 'retention', 'scenarios', 'controllerName', 'controllerContact', 'rights'] as const) {
      dl.append(h('dt', {}, t.elements[k]), h('dd', {}, c[k]));
    }
    const section = h(
      'section',
      { 'data-testid': 'notice', 'aria-labelledby': 'custos-title', part: 'notice' },
      h('h2', { id: 'custos-title' }, data.purpose.name[lang]),
      h('p', { class: 'sub' }, t.published(data.notice.publishedAt.slice(0, 10), data.notice.version)),
      dl,
    );
    if (c.sensitive.length) {
      const names = new Map(data.purpose.fields.map((f) => [f.code, f.name[lang]]));
      const list = h('ul');
      for (const s of c.sensitive) {
        list.append(
          h(
            'li',
            { 'data-testid': `notice-sensitive-${idPart(s.field)}` },
            h('strong', {}, names.get(s.field) ?? s.field),
            h('br'),
            `${t.necessity}${COLON[lang]}${s.necessity}`,
            h('br'),
            `${t.impact}${COLON[lang]}${s.impact}`,
          ),
        );
      }
      section.append(h('h3', {}, t.sensitiveHeading), list);
    }
    return section;
  }

  private renderForm(data: PublishedNotice, lang: Lang, t: WidgetText): HTMLFormElement {
    const labels = formLabels(data, lang);
    const sensitiveText = new Map(data.notice.content[lang].sensitive.map((s) => [s.field, s]));
    const fieldset = h('fieldset', {}, h('legend', {}, t.fieldsLegend));

    for (const f of data.purpose.fields) {
      const id = idPart(f.code);
      const input = h('input', {
        id: `f-${id}`,
        name: f.code,
        type: inputTypeFor(f.piType),
        autocomplete: autocompleteFor(f.piType),
        'data-testid': `field-${id}`,
      });
      input.value = this.form.values[f.code] ?? '';
      input.addEventListener('input', () => {
        this.form.values[f.code] = input.value;
      });
      const block = h('div', { class: 'f', 'data-field': f.code }, h('label', { for: `f-${id}` }, labels.fields[f.code] ?? f.code), input);

      if (isSensitive(f)) {
        const why = sensitiveText.get(f.code);
        const box = h('input', {
          type: 'checkbox',
          id: `s-${id}`,
          'data-testid': `consent-separate-${id}`,
          'aria-describedby': why ? `n-${id}` : undefined,
        });
        box.checked = this.form.separate[f.code] === true;
        box.addEventListener('change', () => {
          this.form.separate[f.code] = box.checked;
        });
        block.append(h('div', { class: 'chk' }, box, h('label', { for: `s-${id}` }, labels.separate[f.code] ?? f.code)));
        if (why) {
          const text = `${t.necessity}${COLON[lang]}${why.necessity}\n${t.impact}${COLON[lang]}${why.impact}`;
          block.append(h('p', { class: 'why', id: `n-${id}`, 'data-testid': `necessity-${id}` }, text));
        }
      }
      block.append(h('p', { class: 'err', id: `e-${id}`, 'data-testid': `error-${id}`, hidden: true }));
      fieldset.append(block);
    }

    const general = h('input', { type: 'checkbox', id: 'consent-general', 'data-testid': 'consent-general' });
    general.checked = this.form.general;
    general.addEventListener('change', () => {
      this.form.general = general.checked;
    });
    const consentBlock = h(
      'div',
      { class: 'f' },
      h('div', { class: 'chk' }, general, h('label', { for: 'consent-general' }, labels.general)),
      h('p', { class: 'err', id: 'e-consent', 'data-testid': 'error-consent', hidden: true }),
    );

    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'custos-title', part: 'form' },
      fieldset,
      consentBlock,
      h('button', { type: 'submit', 'data-testid': 'submit', part: 'submit' }, t.submit),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    return form;
  }

  private focusFirstInvalid(): void {
    (this.root.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
  }

  /** Puts problems next to their fields; returns those that have no field on the form. */
  private placeProblems(problems: ProblemItem[]): ProblemItem[] {
    const codes = this.data ? this.data.purpose.fields.map((f) => f.code) : [];
    const unplaced: ProblemItem[] = [];
    this.errors = {};
    for (const p of problems) {
      const target = problemTarget(p.field, codes);
      if (target) (this.errors[target] ??= []).push(p.reason);
      else unplaced.push(p);
    }
    return unplaced;
  }

  /** Validates, hashes the snapshot, sends (retrying network failures with the same key), shows the outcome. */
  async submit(): Promise<void> {
    const data = this.data;
    if (!data || this.phase !== 'ready') return;
    const lang = this.language;
    const prepared = prepareSubmission(data, this.form);
    if (!prepared.ok) {
      this.placeProblems(prepared.problems);
      this.message = { kind: 'error', text: (t) => t.fixErrors };
      this.update();
      this.focusFirstInvalid();
      return;
    }
    this.errors = {};
    this.phase = 'submitting';
    this.message = { kind: 'info', text: (t) => t.submitting };
    this.update();

    let response: CollectCustomerDataResponse;
    try {
      const formSnapshotHash = await sha256Hex(canonicalJson(formSnapshot(data, lang, this.form)));
      const body: CollectCustomerDataRequest = { ...prepared.body, consent: { ...prepared.body.consent, evidence: { formSnapshotHash } } };
      response = await this.send(body, newIdempotencyKey());
    } catch (err) {
      this.fail(err);
      return;
    }
    this.phase = 'submitted';
    this.message = { kind: 'success', text: (t) => t.success(response.collectionId) };
    this.update();
    this.emit('custos-submitted', response);
  }

  private async send(body: CollectCustomerDataRequest, idempotencyKey: string): Promise<CollectCustomerDataResponse> {
    const client = this.client();
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.collectCustomerData(body, idempotencyKey);
      } catch (err) {
        const delay = this.retryDelays[attempt];
        if (!(err instanceof CustosNetworkError) || delay === undefined) throw err;
        await sleep(delay);
      }
    }
  }

  private fail(err: unknown): void {
    const problem = toProblem(err);
    const unplaced = this.placeProblems(problem.problems ?? []);
    const stale = unplaced.some((p) => p.reason === 'not_current');
    this.phase = 'ready';
    const message = {
      kind: 'error' as const,
      text: (t: WidgetText, lang: Lang) => {
        if (problem.code === 'network_error') return t.networkError;
        if (stale) return reasonMessage('not_current', lang);
        const lines = unplaced.map((p) => `${p.field}: ${reasonMessage(p.reason, lang)}`);
        lines.unshift(problem.problems?.length && !lines.length ? t.fixErrors : t.failed(problem.detail ?? problem.title));
        return lines.join('\n');
      },
    };
    this.message = message;
    this.update();
    this.focusFirstInvalid();
    this.emit('custos-error', problem);
    if (stale) {
      // The notice changed under the customer: show the new one, ticks cleared, values kept.
      void this.load(true).then(() => {
        if (this.data) {
          this.message = message;
          this.update();
        }
      });
    }
  }
}

const COLON: Record<Lang, string> = { 'zh-CN': '：', en: ': ' };

function setInvalid(el: HTMLElement | null, invalid: boolean, errorId: string): void {
  if (!el) return;
  if (invalid) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
  const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== errorId);
  if (invalid) ids.push(errorId);
  if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
  else el.removeAttribute('aria-describedby');
}

/** Registers the element (once) under `tagName`. */
export function defineCustosConsent(tagName = 'custos-consent'): void {
  if (!customElements.get(tagName)) customElements.define(tagName, class extends CustosConsentElement {});
}

declare global {
  interface HTMLElementTagNameMap {
    'custos-consent': CustosConsentElement;
  }
}
