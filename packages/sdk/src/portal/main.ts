/**
 * The customer self-service portal page, served by the server at `/portal/`.
 *
 * Contact -> code -> overview (masked fields, consents by purpose, withdraw, transfer notices to
 * consent to or object to, sign out). The
 * session is the server's HTTP-only `custos_portal` cookie: this page keeps no token and writes
 * nothing to localStorage or sessionStorage. The language is in the URL (`?lang=en`).
 */
import { createCustosClient } from '../client.js';
import { h, idPart } from '../dom.js';
import { CustosApiError, CustosNetworkError } from '../errors.js';
import { normaliseLang } from '../messages.js';
import type { Lang, MyTransferNotice, PortalConsent, PortalOverview, RequestPortalCodeRequest } from '../types.js';
import { PORTAL_TEXT, answerKey, detectContact, formatTime, groupConsents, normaliseCode, type PortalText } from './portal-fns.js';

type View = 'loading' | 'contact' | 'code' | 'overview';
/** What the confirmation dialog is about: withdrawing consent, or answering a transfer notice. */
type Pending =
  | { kind: 'withdraw'; purposeCode: string; purposeName: string; category?: { code: string; name: string } }
  | { kind: 'transfer'; notice: MyTransferNotice; answer: 'consent' | 'object' };

const client = createCustosClient({ baseUrl: location.origin });

const state = {
  lang: normaliseLang(new URLSearchParams(location.search).get('lang')) as Lang,
  view: 'loading' as View,
  /** The contact as typed, and as sent. */
  contactInput: '',
  contact: null as RequestPortalCodeRequest | null,
  challengeId: '',
  overview: null as PortalOverview | null,
  /** The customer's transfer notices; null when they could not be loaded. */
  transfers: [] as MyTransferNotice[] | null,
  busy: false,
  /** Inline error of the current form, as a text key. */
  fieldError: null as ((t: PortalText) => string) | null,
  message: null as { kind: 'info' | 'error' | 'success'; text: (t: PortalText) => string } | null,
  /** What to move focus to after the next render. */
  focus: null as string | null,
};

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
// One status region for the page's whole life, so screen readers announce its changes.
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'portal-status' });
const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', 'data-testid': 'portal-dialog' });
const header = h('header');
const mainEl = h('main', { id: 'main' });
app.replaceChildren(header, mainEl, status, dialog);
let pending: Pending | null = null;

const t = () => PORTAL_TEXT[state.lang];

function problemText(err: unknown): string {
  if (err instanceof CustosApiError) return t().failed(err.detail ?? err.title);
  if (err instanceof CustosNetworkError) return t().networkError;
  return t().failed(err instanceof Error ? err.message : String(err));
}

function setMessage(kind: 'info' | 'error' | 'success', text: (tx: PortalText) => string): void {
  state.message = { kind, text };
}

function render(): void {
  const tx = t();
  document.documentElement.lang = state.lang;
  document.title = tx.title;
  const langButton = h(
    'button',
    { type: 'button', class: 'link', lang: state.lang === 'en' ? 'zh-CN' : 'en', 'data-testid': 'portal-lang' },
    tx.langToggle,
  );
  langButton.addEventListener('click', () => {
    state.lang = state.lang === 'en' ? 'zh-CN' : 'en';
    const url = new URL(location.href);
    url.searchParams.set('lang', state.lang);
    history.replaceState(null, '', url);
    state.focus = 'portal-lang';
    render();
  });
  const actions = h('div', { class: 'actions' }, langButton);
  if (state.view === 'overview') {
    const logout = h('button', { type: 'button', 'data-testid': 'portal-logout' }, tx.logout);
    logout.addEventListener('click', () => void doLogout());
    actions.append(logout);
  }
  header.replaceChildren(h('h1', {}, tx.title), actions);
  if (state.view === 'contact') mainEl.replaceChildren(contactView(tx));
  else if (state.view === 'code') mainEl.replaceChildren(codeView(tx));
  else if (state.view === 'overview' && state.overview) mainEl.replaceChildren(...overviewView(tx, state.overview));
  else mainEl.replaceChildren();

  status.setAttribute('data-kind', state.message?.kind ?? 'info');
  status.textContent = state.view === 'loading' ? tx.loading : (state.message?.text(tx) ?? '');
  renderDialog(tx);

  const focus = state.focus;
  state.focus = null;
  if (focus) (app.querySelector(`[data-testid="${focus}"]`) as HTMLElement | null)?.focus();
}

function inputBlock(tx: PortalText, id: string, label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  const error = state.fieldError?.(tx);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  if (described) input.setAttribute('aria-describedby', described);
  if (error) input.setAttribute('aria-invalid', 'true');
  const block = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  if (hint) block.append(h('p', { class: 'hint', id: `${id}-hint` }, hint));
  if (error) block.append(h('p', { class: 'error', id: `${id}-error` }, error));
  return block;
}

function contactView(tx: PortalText): HTMLElement {
  const input = h('input', { id: 'contact', name: 'contact', type: 'text', autocomplete: 'username', 'data-testid': 'portal-contact' });
  input.value = state.contactInput;
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'step-title' },
    h('h2', { id: 'step-title' }, tx.title),
    h('p', {}, tx.intro),
    inputBlock(tx, 'contact', tx.contactLabel, input, tx.contactHint),
    h('button', { type: 'submit', 'data-testid': 'portal-send', 'aria-disabled': String(state.busy) }, state.busy ? tx.sending : tx.send),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void sendCode(input.value);
  });
  return form;
}

function codeView(tx: PortalText): HTMLElement {
  const input = h('input', {
    id: 'code',
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '6',
    'data-testid': 'portal-code',
  });
  const back = h('button', { type: 'button', class: 'link', 'data-testid': 'portal-back' }, tx.back);
  back.addEventListener('click', () => {
    state.view = 'contact';
    state.fieldError = null;
    state.message = null;
    state.focus = 'portal-contact';
    render();
  });
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'step-title' },
    h('h2', { id: 'step-title' }, tx.codeLabel),
    h('p', {}, tx.codeSent(state.contact?.value ?? '')),
    inputBlock(tx, 'code', tx.codeLabel, input),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        { type: 'submit', 'data-testid': 'portal-verify', 'aria-disabled': String(state.busy) },
        state.busy ? tx.verifying : tx.verify,
      ),
      back,
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void verifyCode(input.value);
  });
  return form;
}

function overviewView(tx: PortalText, overview: PortalOverview): HTMLElement[] {
  const lang = state.lang;
  const info = h(
    'section',
    { 'aria-labelledby': 'info-title' },
    h('h2', { id: 'info-title', tabindex: '-1', 'data-testid': 'portal-overview' }, tx.yourInfo),
  );
  if (overview.fields.length) {
    const body = h('tbody');
    for (const f of overview.fields) {
      body.append(
        h('tr', { 'data-testid': `portal-field-${idPart(f.field)}` }, h('th', { scope: 'row' }, f.name[lang]), h('td', {}, f.masked)),
      );
    }
    info.append(
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tx.fieldName), h('th', { scope: 'col' }, tx.fieldValue))), body),
    );
  } else {
    info.append(h('p', {}, tx.noFields));
  }

  const consents = h(
    'section',
    { 'aria-labelledby': 'consents-title' },
    h('h2', { id: 'consents-title', tabindex: '-1' }, tx.yourConsents),
  );
  const groups = groupConsents(overview.consents);
  if (!groups.length) consents.append(h('p', {}, tx.noConsents));
  for (const g of groups) {
    const titleId = `purpose-${idPart(g.purposeCode)}`;
    const purposeName = g.purposeName[lang];
    const body = h('tbody');
    for (const c of g.consents) body.append(consentRow(tx, g.purposeCode, purposeName, c));
    const section = h(
      'section',
      { class: 'purpose', 'aria-labelledby': titleId, 'data-testid': `portal-purpose-${idPart(g.purposeCode)}` },
      h('h3', { id: titleId }, purposeName, ' ', h('span', { class: 'muted' }, `(${tx.version(g.purposeVersion)})`)),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx.category),
            h('th', { scope: 'col' }, tx.statusCol),
            h('th', { scope: 'col' }, tx.givenAt),
            h('th', { scope: 'col' }, tx.withdrawnAt),
            h('td', {}),
          ),
        ),
        body,
      ),
    );
    if (g.anyGranted) {
      const button = h(
        'button',
        { type: 'button', class: 'danger', 'data-testid': `portal-withdraw-${idPart(g.purposeCode)}` },
        tx.withdrawPurpose,
      );
      button.addEventListener('click', () => ask({ kind: 'withdraw', purposeCode: g.purposeCode, purposeName }, button));
      section.append(button);
    }
    consents.append(section);
  }
  const out = [info, consents];
  if (state.transfers === null) out.push(h('section', {}, h('h2', {}, tx.transfers), h('p', { class: 'error' }, tx.transfersFailed)));
  else if (state.transfers.length) out.push(transfersView(tx, state.transfers));
  return out;
}

function transfersView(tx: PortalText, notices: MyTransferNotice[]): HTMLElement {
  const section = h(
    'section',
    { 'aria-labelledby': 'transfers-title', 'data-testid': 'portal-transfers' },
    h('h2', { id: 'transfers-title', tabindex: '-1' }, tx.transfers),
    h('p', { class: 'muted' }, tx.transfersIntro),
  );
  for (const n of notices) {
    const key = idPart(n.campaignId);
    const titleId = `transfer-${key}`;
    const answer = answerKey(n);
    const rows: [string, string, string?][] = [
      [tx.recipient, n.receivingParty.name, 'recipient'],
      [tx.recipientContact, n.receivingParty.contact, 'contact'],
      [tx.reason, tx.reasons[n.reason], 'reason'],
      [tx.transferPurpose, n.purpose, 'purpose'],
      [tx.scope, n.scope[state.lang], 'scope'],
      [tx.notifiedAt, formatTime(n.notifiedAt)],
    ];
    if (n.responseDeadline) rows.push([tx.deadline, formatTime(n.responseDeadline)]);
    rows.push([tx.reference, n.reference]);
    const body = h('tbody');
    for (const [label, value, id] of rows) {
      body.append(
        h('tr', {}, h('th', { scope: 'row' }, label), h('td', id ? { 'data-testid': `portal-transfer-${key}-${id}` } : {}, value)),
      );
    }
    body.append(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, tx.yourAnswer),
        h(
          'td',
          { class: `st-${answer}`, 'data-testid': `portal-transfer-${key}-answer` },
          tx.answers[answer],
          n.answeredAt ? h('span', { class: 'muted' }, ` (${formatTime(n.answeredAt)})`) : '',
        ),
      ),
    );
    const item = h(
      'section',
      { class: 'purpose', 'aria-labelledby': titleId, 'data-testid': `portal-transfer-${key}`, 'data-answer': answer },
      h('h3', { id: titleId }, n.title),
      h('table', {}, body),
      h('details', {}, h('summary', {}, tx.noticeText), h('p', { lang: state.lang }, n.text[state.lang])),
    );
    if (n.open) {
      const buttons = h('div', { class: 'row' });
      for (const a of ['consent', 'object'] as const) {
        const button = h(
          'button',
          { type: 'button', class: a === 'object' ? 'danger' : undefined, 'data-testid': `portal-transfer-${a}-${key}` },
          a === 'consent' ? tx.consentTransfer : tx.objectTransfer,
        );
        button.addEventListener('click', () => ask({ kind: 'transfer', notice: n, answer: a }, button));
        buttons.append(button);
      }
      item.append(buttons);
    } else {
      item.append(h('p', { class: 'muted' }, tx.closed));
    }
    section.append(item);
  }
  return section;
}

function consentRow(tx: PortalText, purposeCode: string, purposeName: string, c: PortalConsent): HTMLElement {
  const name = c.categoryName[state.lang];
  const label = h('th', { scope: 'row' }, name);
  if (c.separate) label.append(' ', h('span', { class: 'badge' }, tx.separate));
  const action = h('td', {});
  if (c.separate && c.status === 'granted') {
    const button = h(
      'button',
      { type: 'button', class: 'link danger', 'data-testid': `portal-withdraw-${idPart(purposeCode)}-${idPart(c.category)}` },
      tx.withdrawSeparate(name),
    );
    button.addEventListener('click', () =>
      ask({ kind: 'withdraw', purposeCode, purposeName, category: { code: c.category, name } }, button),
    );
    action.append(button);
  }
  return h(
    'tr',
    { 'data-testid': `portal-consent-${idPart(purposeCode)}-${idPart(c.category)}`, 'data-status': c.status },
    label,
    h('td', { class: `st-${c.status}` }, tx.status[c.status]),
    h('td', {}, formatTime(c.givenAt)),
    h('td', {}, formatTime(c.withdrawnAt)),
    action,
  );
}

let returnFocus: HTMLElement | null = null;

function ask(p: Pending, from: HTMLElement): void {
  pending = p;
  returnFocus = from;
  renderDialog(t());
  dialog.showModal();
  (dialog.querySelector('[data-testid="portal-cancel"]') as HTMLElement | null)?.focus();
}

function renderDialog(tx: PortalText): void {
  const p = pending;
  if (!p) {
    dialog.replaceChildren();
    return;
  }
  const c =
    p.kind === 'transfer'
      ? { ...tx.confirmTransfer[p.answer], body: tx.confirmTransfer[p.answer].body(p.notice.receivingParty.name) }
      : {
          title: tx.confirmTitle,
          body: p.category ? tx.confirmCategory(p.purposeName, p.category.name) : tx.confirmPurpose(p.purposeName),
          note: tx.confirmNote,
          button: tx.confirm,
        };
  const danger = p.kind === 'withdraw' || p.answer === 'object';
  const confirm = h('button', { type: 'button', class: danger ? 'danger' : undefined, 'data-testid': 'portal-confirm' }, c.button);
  const cancel = h('button', { type: 'button', 'data-testid': 'portal-cancel' }, tx.cancel);
  confirm.addEventListener('click', () => {
    closeDialog(false);
    void (p.kind === 'transfer' ? answerTransfer(p.notice, p.answer) : withdraw(p));
  });
  cancel.addEventListener('click', () => closeDialog(true));
  dialog.replaceChildren(
    h('h2', { id: 'confirm-title' }, c.title),
    h('p', {}, c.body),
    h('p', { class: 'muted' }, c.note),
    h('div', { class: 'row' }, confirm, cancel),
  );
}

function closeDialog(restoreFocus: boolean): void {
  pending = null;
  if (dialog.open) dialog.close();
  if (restoreFocus) returnFocus?.focus();
  returnFocus = null;
}
// Escape closes the dialog natively; forget what it was about.
dialog.addEventListener('close', () => {
  if (pending) closeDialog(true);
});

function sessionEnded(err: unknown): boolean {
  if (err instanceof CustosApiError && (err.status === 401 || err.status === 403)) {
    state.view = 'contact';
    state.overview = null;
    state.transfers = [];
    state.fieldError = null;
    setMessage('error', (tx) => tx.sessionEnded);
    state.focus = 'portal-contact';
    render();
    return true;
  }
  return false;
}

async function sendCode(value: string): Promise<void> {
  if (state.busy) return;
  const contact = detectContact(value);
  if (!contact) {
    state.contactInput = value;
    state.fieldError = (tx) => tx.contactInvalid;
    state.message = null;
    state.focus = 'portal-contact';
    render();
    return;
  }
  state.contactInput = value;
  state.contact = contact;
  state.fieldError = null;
  state.busy = true;
  state.message = null;
  state.focus = 'portal-send';
  render();
  try {
    const { challengeId } = await client.requestPortalCode(contact);
    state.challengeId = challengeId;
    state.view = 'code';
    state.message = null;
    state.focus = 'portal-code';
  } catch (err) {
    const text = problemText(err);
    setMessage('error', () => text);
    state.focus = 'portal-send';
  } finally {
    state.busy = false;
  }
  render();
}

async function verifyCode(value: string): Promise<void> {
  if (state.busy) return;
  const code = normaliseCode(value);
  if (!code) {
    state.fieldError = (tx) => tx.codeInvalid;
    state.focus = 'portal-code';
    render();
    return;
  }
  state.fieldError = null;
  state.busy = true;
  state.message = null;
  state.focus = 'portal-verify';
  render();
  try {
    // The response's token is not kept: the HTTP-only cookie is the session.
    await client.verifyPortalCode({ challengeId: state.challengeId, code });
    state.busy = false;
    await loadOverview('portal-overview');
    return;
  } catch (err) {
    state.busy = false;
    if (err instanceof CustosApiError && err.status === 429) {
      state.view = 'contact';
      setMessage('error', (tx) => tx.tooManyTries);
      state.focus = 'portal-contact';
    } else if (err instanceof CustosApiError && err.status === 400) {
      state.fieldError = (tx) => tx.wrongCode;
      state.focus = 'portal-code';
    } else {
      const text = problemText(err);
      setMessage('error', () => text);
      state.focus = 'portal-code';
    }
  }
  render();
}

async function loadOverview(focus: string | null): Promise<void> {
  try {
    const [overview, transfers] = await Promise.all([
      client.getPortalOverview(),
      // The overview does not depend on the notices: show it even when they fail to load.
      client.listMyTransferNotices().then(
        (r) => r.items,
        (err: unknown) => {
          if (err instanceof CustosApiError && (err.status === 401 || err.status === 403)) throw err;
          return null;
        },
      ),
    ]);
    state.overview = overview;
    state.transfers = transfers;
    state.view = 'overview';
    state.focus = focus;
  } catch (err) {
    if (state.view === 'loading') {
      // First visit or no session: start at the contact step, quietly unless it was not a 401.
      state.view = 'contact';
      if (!(err instanceof CustosApiError && (err.status === 401 || err.status === 403))) {
        const text = problemText(err);
        setMessage('error', () => text);
      }
    } else if (sessionEnded(err)) {
      return;
    } else {
      const text = problemText(err);
      setMessage('error', () => text);
    }
  }
  render();
}

async function withdraw(p: Extract<Pending, { kind: 'withdraw' }>): Promise<void> {
  const focusAfter = `portal-withdraw-${idPart(p.purposeCode)}`;
  try {
    const body = p.category ? { purposeCode: p.purposeCode, categories: [p.category.code] } : { purposeCode: p.purposeCode };
    const { consentIds } = await client.withdrawMyConsent(body);
    setMessage('success', (tx) => tx.withdrawn(consentIds.length));
  } catch (err) {
    if (sessionEnded(err)) return;
    const text = problemText(err);
    setMessage('error', () => text);
  }
  // The purpose's button is gone once nothing is left to withdraw; then focus the heading.
  await loadOverview(focusAfter);
  if (!app.querySelector(`[data-testid="${focusAfter}"]`)) (app.querySelector('#consents-title') as HTMLElement | null)?.focus();
}

async function answerTransfer(n: MyTransferNotice, answer: 'consent' | 'object'): Promise<void> {
  try {
    await client.answerTransferNotice({ campaignId: n.campaignId, answer });
    setMessage('success', (tx) => tx.answered(answer));
  } catch (err) {
    if (sessionEnded(err)) return;
    const text = problemText(err);
    setMessage('error', () => text);
  }
  // The buttons are gone if the transfer was carried out meanwhile; then focus the notice's heading.
  const focusAfter = `portal-transfer-${answer}-${idPart(n.campaignId)}`;
  await loadOverview(focusAfter);
  if (!app.querySelector(`[data-testid="${focusAfter}"]`)) (app.querySelector('#transfers-title') as HTMLElement | null)?.focus();
}

async function doLogout(): Promise<void> {
  try {
    await client.portalLogout();
  } catch (err) {
    // A session that is already gone is a successful sign-out.
    if (!(err instanceof CustosApiError && err.status === 401)) {
      const text = problemText(err);
      setMessage('error', () => text);
      render();
      return;
    }
  }
  state.view = 'contact';
  state.overview = null;
  state.transfers = [];
  state.contactInput = '';
  state.contact = null;
  state.challengeId = '';
  state.fieldError = null;
  setMessage('success', (tx) => tx.loggedOut);
  state.focus = 'portal-contact';
  render();
}

render();
void loadOverview(null);
