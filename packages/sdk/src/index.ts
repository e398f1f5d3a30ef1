export const SDK_VERSION = '0.1.0';

export { createCustosClient, type CallOptions, type CustosClient, type CustosClientOptions, type FetchLike } from './client.js';
export { CustosApiError, CustosNetworkError, parseProblem } from './errors.js';
export { IDEMPOTENCY_KEY_PATTERN, newIdempotencyKey } from './idempotency.js';
export { canonicalJson, sha256Hex, sha256HexSync, type JsonValue } from './canonical.js';
export { hasReasonMessage, normaliseLang, reasonMessage } from './messages.js';
export {
  formLabels,
  formSnapshot,
  inputTypeFor,
  prepareSubmission,
  problemTarget,
  type FormLabels,
  type FormState,
  type Prepared,
} from './consent-form.js';
export type * from './types.js';
