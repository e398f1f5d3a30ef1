import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { sqlRows, type Tx } from '../../db/client.js';
import {
  customerFields,
  customers,
  dataCategories,
  transferCampaigns,
  transferLetterBatches,
  transferNotices,
  transferResponses,
} from '../../db/schema.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { parseInput } from '../../validation.js';
import { assertNoPlainPi } from '../customers/customers-fns.js';
import type { CustomersService } from '../customers/customers-service.js';
import type { Notifier } from '../notifier/notifier-service.js';
import type { ProcessingRecordsService } from '../processing-records/processing-records-service.js';
import {
  campaignCounts,
  DEFAULT_NOTICE_TEMPLATE,
  deliveryStatus,
  encryptPackage,
  letterDocument,
  mayTransfer,
  newReference,
  packageLines,
  pickChannel,
  REASON_TEXT,
  renderNotice,
  scopeText,
  sha256Hex,
  templateProblems,
  textHash,
  type CampaignMember,
  type L10nText,
  type Letter,
} from './transfers-fns.js';
import {
  answerTransferNoticeInput,
  approveTransferCampaignInput,
  createTransferCampaignInput,
  downloadTransferPackageInput,
  listTransferNoticesQuery,
  recordTransferResponseInput,
  type AnswerTransferNoticeInput,
  type ApproveTransferCampaignInput,
  type CreateTransferCampaignInput,
  type DownloadTransferPackageInput,
  type ListTransferNoticesQuery,
  type MyTransferNotice,
  type NoticeChannel,
  type RecordTransferResponseInput,
  type TransferAnswer,
  type TransferCampaign,
  type TransferNotice,
  type TransferPackage,
} from './transfers-types.js';

type CampaignRow = typeof transferCampaigns.$inferSelect;
const CLAUSES = ['P6.1'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const CHUNK = 500;

/** The impact-assessment gate (modules/impact `internal.requireCompleted`): throws when the assessment is not completed. */
export type ImpactGate = (tx: Tx, assessmentId: string, subjectKind: 'transfer' | 'disclosure') => Promise<unknown>;

interface MemberRow {
  customer_id: string;
  reference: string;
  channel: NoticeChannel | 'none';
  outcome: CampaignMember['outcome'];
  outbox_status: string | null;
  last_error: string | null;
  answer: TransferAnswer | null;
  recorded_at: Date | string | null;
  method: 'staff' | 'portal' | null;
  customer_status: string;
}

function toNotice(r: MemberRow): TransferNotice {
  return {
    customerId: r.customer_id,
    reference: r.reference,
    channel: r.channel,
    delivery: deliveryStatus(r.channel, r.outbox_status),
    lastError: r.last_error,
    answer: r.answer,
    answeredAt: iso(r.recorded_at),
    answeredVia: r.method,
    outcome: r.outcome,
  };
}

/**
 * Transfers on merger, division or acquisition (P6.1, PIPL Art. 22). A campaign names the
 * reason, the receiving party, the purpose and the scope; once approved (its impact assessment
 * completed) Custos sends each customer in scope a notice through the notifier, records each
 * answer, and executes the transfer only for customers who consented or for whom another legal
 * basis is recorded. The execution leaves a processing record, the package's hash and a report
 * with every count; plain PI never enters the audit log.
 */
export function createTransfersService(deps: {
  runner: Runner;
  notifier: Notifier;
  customers: CustomersService;
  processingRecords: ProcessingRecordsService;
  impactGate: ImpactGate;
}) {
  const { runner, notifier } = deps;
  const vault = deps.customers.internal;
  const register = deps.processingRecords.internal;

  async function load(tx: Tx, id: string, lock = false): Promise<CampaignRow> {
    if (!UUID.test(id)) throw new NotFoundError('transfer campaign not found');
    const q = tx.select().from(transferCampaigns).where(eq(transferCampaigns.id, id));
    const row = (await (lock ? q.for('update') : q))[0];
    if (!row) throw new NotFoundError('transfer campaign not found');
    return row;
  }

  /** Every customer of a campaign with their notice, its delivery, their latest answer and outcome. */
  function members(tx: Tx, campaignId: string): Promise<MemberRow[]> {
    return sqlRows<MemberRow>(
      tx,
      sql`SELECT n.customer_id, n.reference, n.channel, n.outcome, o.status AS outbox_status, o.last_error,
                 r.answer, r.recorded_at, r.method, c.status AS customer_status
            FROM transfer_notices n
            JOIN customers c ON c.id = n.customer_id
            LEFT JOIN outbox o ON o.id = n.outbox_id
            LEFT JOIN LATERAL (
              SELECT answer, recorded_at, method FROM transfer_responses x
               WHERE x.campaign_id = n.campaign_id AND x.customer_id = n.customer_id
               ORDER BY x.id DESC LIMIT 1) r ON true
           WHERE n.campaign_id = ${campaignId}
           ORDER BY n.reference`,
    );
  }

  const asMember = (r: MemberRow): CampaignMember => ({
    delivery: deliveryStatus(r.channel, r.outbox_status),
    answer: r.answer,
    outcome: r.outcome,
    active: r.customer_status === 'active',
  });

  async function view(tx: Tx, c: CampaignRow): Promise<TransferCampaign> {
    const rows = await members(tx, c.id);
    const batches = await tx
      .select()
      .from(transferLetterBatches)
      .where(eq(transferLetterBatches.campaignId, c.id))
      .orderBy(asc(transferLetterBatches.createdAt));
    const counts = campaignCounts(rows.map(asMember));
    return {
      id: c.id,
      title: c.title,
      reason: c.reason,
      reasonDetail: c.reasonDetail,
      receivingParty: { name: c.receivingPartyName, contact: c.receivingPartyContact },
      purpose: c.purpose,
      fields: c.fields,
      customerScope: c.customerScope,
      noticeTemplate: c.noticeTemplate,
      channels: c.channels as NoticeChannel[],
      responseDeadline: iso(c.responseDeadline),
      impactAssessmentId: c.impactAssessmentId,
      status: c.status,
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      approvedBy: c.approvedBy,
      approvedAt: iso(c.approvedAt),
      noticesSentAt: iso(c.noticesSentAt),
      executedBy: c.executedBy,
      executedAt: iso(c.executedAt),
      // Live: delivery moves on after the notices go out; outcomes are set at execution. 0 in scope until notices are sent.
      counts,
      packageHash: c.packageHash,
      processingRecordId: c.processingRecordId,
      letterBatches: batches.map((b) => ({
        id: b.id,
        letters: b.letters,
        documentHash: b.documentHash,
        createdAt: b.createdAt.toISOString(),
      })),
    };
  }

  async function categoryNames(tx: Tx, codes: readonly string[]): Promise<Map<string, L10nText & { piType: string }>> {
    if (!codes.length) return new Map();
    const rows = await tx
      .select({ code: dataCategories.code, zh: dataCategories.nameZh, en: dataCategories.nameEn, piType: dataCategories.piType })
      .from(dataCategories)
      .where(inArray(dataCategories.code, [...codes]));
    return new Map(rows.map((r) => [r.code, { 'zh-CN': r.zh, en: r.en, piType: r.piType }]));
  }

  async function scopeCustomers(tx: Tx, c: CampaignRow): Promise<string[]> {
    if (c.customerScope.kind === 'list') {
      const ids = [...new Set(c.customerScope.ids)];
      const out: string[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await tx
          .select({ id: customers.id })
          .from(customers)
          .where(and(inArray(customers.id, ids.slice(i, i + CHUNK)), eq(customers.status, 'active')));
        out.push(...rows.map((r) => r.id));
      }
      return out.sort();
    }
    const rows = await tx.select({ id: customers.id }).from(customers).where(eq(customers.status, 'active')).orderBy(asc(customers.id));
    return rows.map((r) => r.id);
  }

  /** Decrypt the letter customers' name and address (a plain read: the caller audits it); null name when none is held. */
  async function letterAddresses(
    tx: Tx,
    letters: ReadonlyArray<{ customerId: string; nameField: string | null; addressField: string }>,
  ): Promise<Map<string, { name: string | null; address: string }>> {
    const out = new Map<string, { name: string | null; address: string }>();
    for (const l of letters) {
      const plain = await vault.plainFields(tx, l.customerId, l.nameField ? [l.nameField, l.addressField] : [l.addressField]);
      const address = plain[l.addressField];
      if (address) out.set(l.customerId, { name: l.nameField ? (plain[l.nameField] ?? null) : null, address });
    }
    return out;
  }

  /** What the signed-in customer sees of one notice (portal). */
  async function myNotice(tx: Tx, n: typeof transferNotices.$inferSelect, c: CampaignRow): Promise<MyTransferNotice> {
    const r = await tx
      .select({ answer: transferResponses.answer, at: transferResponses.recordedAt })
      .from(transferResponses)
      .where(and(eq(transferResponses.campaignId, c.id), eq(transferResponses.customerId, n.customerId)))
      .orderBy(desc(transferResponses.id))
      .limit(1);
    return {
      campaignId: c.id,
      reference: n.reference,
      title: c.title,
      receivingParty: { name: c.receivingPartyName, contact: c.receivingPartyContact },
      reason: c.reason,
      purpose: c.purpose,
      scope: scopeText(c.fields, await categoryNames(tx, c.fields)),
      notifiedAt: iso(n.createdAt)!,
      text: n.text,
      responseDeadline: iso(c.responseDeadline),
      open: c.status === 'notifying',
      answer: r[0]?.answer ?? null,
      answeredAt: iso(r[0]?.at),
    };
  }

  /** The plain handover package of the transferred customers (canonical JSON lines) and its hash. */
  async function buildPackage(tx: Tx, c: CampaignRow, ids: readonly string[]) {
    const entries: Array<{ customerId: string; fields: Record<string, string> }> = [];
    for (const id of ids) entries.push({ customerId: id, fields: await vault.plainFields(tx, id, c.fields) });
    const plain = packageLines(entries);
    return { plain, hash: sha256Hex(plain), customers: entries.length };
  }

  return {
    create(actor: Actor, input: CreateTransferCampaignInput): Promise<TransferCampaign> {
      return runner.run(actor, OPERATIONS.createTransferCampaign, async ({ tx, audit }) => {
        const data = parseInput(createTransferCampaignInput, input);
        assertNoPlainPi('title', data.title);
        if (data.reasonDetail) assertNoPlainPi('reasonDetail', data.reasonDetail);
        assertNoPlainPi('purpose', data.purpose);
        const template = data.noticeTemplate ?? DEFAULT_NOTICE_TEMPLATE;
        const problems = templateProblems(template);
        const fields = [...new Set(data.fields)];
        const known = await categoryNames(tx, fields);
        for (const f of fields) if (!known.has(f)) problems.push({ field: f, reason: 'unknown_category' });
        if (data.customerScope.kind === 'list') {
          const ids = [...new Set(data.customerScope.ids)];
          let found = 0;
          for (let i = 0; i < ids.length; i += CHUNK) {
            const [n] = await tx
              .select({ n: count() })
              .from(customers)
              .where(and(inArray(customers.id, ids.slice(i, i + CHUNK)), eq(customers.status, 'active')));
            found += Number(n?.n ?? 0);
          }
          if (found !== ids.length) problems.push({ field: 'customerScope.ids', reason: `unknown_customers:${ids.length - found}` });
        }
        if (data.responseDeadline && Date.parse(data.responseDeadline) <= Date.now())
          problems.push({ field: 'responseDeadline', reason: 'in_the_past' });
        if (problems.length) throw new InvalidError('the transfer campaign is not valid', problems, CLAUSES);
        const [row] = await tx
          .insert(transferCampaigns)
          .values({
            title: data.title,
            reason: data.reason,
            reasonDetail: data.reasonDetail ?? null,
            receivingPartyName: data.receivingParty.name,
            receivingPartyContact: data.receivingParty.contact,
            purpose: data.purpose,
            fields,
            customerScope: data.customerScope,
            noticeTemplate: template,
            channels: [...new Set(data.channels)],
            responseDeadline: data.responseDeadline ? new Date(data.responseDeadline) : null,
            impactAssessmentId: data.impactAssessmentId,
            creatorId: actor.userId,
            createdBy: actor.username,
          })
          .returning();
        await audit({
          action: 'transfer_campaign.created',
          resourceType: 'transfer_campaign',
          resourceId: row!.id,
          details: {
            reason: data.reason,
            receivingParty: data.receivingParty.name,
            fields,
            scope: data.customerScope.kind,
            scopeSize: data.customerScope.kind === 'list' ? new Set(data.customerScope.ids).size : null,
            channels: row!.channels,
            impactAssessmentId: data.impactAssessmentId,
          },
        });
        return view(tx, row!);
      });
    },

    /** Approval by someone other than the creator, once the impact assessment is completed. */
    approve(actor: Actor, id: string, input: ApproveTransferCampaignInput = {}): Promise<TransferCampaign> {
      return runner.run(actor, OPERATIONS.approveTransferCampaign, async ({ tx, audit }) => {
        const data = parseInput(approveTransferCampaignInput, input);
        const c = await load(tx, id, true);
        if (c.status !== 'draft') throw new ConflictError(`a ${c.status} campaign cannot be approved`, CLAUSES);
        if (c.creatorId && c.creatorId === actor.userId)
          throw new ForbiddenError('nobody approves their own transfer campaign', 'transfer.approve', CLAUSES);
        await deps.impactGate(tx, c.impactAssessmentId, 'transfer');
        const [u] = await tx
          .update(transferCampaigns)
          .set({
            status: 'approved',
            approverId: actor.userId,
            approvedBy: actor.username,
            approvedAt: new Date(),
            approvalComment: data.comment ?? null,
          })
          .where(eq(transferCampaigns.id, id))
          .returning();
        await audit({
          action: 'transfer_campaign.approved',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: { impactAssessmentId: c.impactAssessmentId, comment: data.comment ?? null },
        });
        return view(tx, u!);
      });
    },

    /**
     * Generate and send every customer's notice: by e-mail or SMS through the notifier's outbox
     * (the address is read from the vault only at delivery), or as a letter in a printable batch
     * whose document hash is kept. Customers with no address for any of the campaign's channels
     * are recorded as `no_address`.
     */
    async sendNotices(actor: Actor, id: string): Promise<TransferCampaign> {
      const result = await runner.run(actor, OPERATIONS.sendTransferNotices, async ({ tx, audit }) => {
        const c = await load(tx, id, true);
        if (c.status !== 'approved')
          throw new ConflictError(`notices go out once, for an approved campaign (this one is ${c.status})`, CLAUSES);
        await deps.impactGate(tx, c.impactAssessmentId, 'transfer');
        const ids = await scopeCustomers(tx, c);
        // Which addresses each customer has (by PI type; nothing is decrypted to choose the channel).
        const held = new Map<string, Map<string, string>>();
        for (let i = 0; i < ids.length; i += CHUNK) {
          const rows = await tx
            .select({ customerId: customerFields.customerId, code: customerFields.categoryCode, piType: customerFields.piType })
            .from(customerFields)
            .where(
              and(
                inArray(customerFields.customerId, ids.slice(i, i + CHUNK)),
                inArray(customerFields.piType, ['email', 'cn_mobile', 'address', 'person_name']),
              ),
            )
            .orderBy(asc(customerFields.categoryCode));
          for (const r of rows) {
            const m = held.get(r.customerId) ?? new Map<string, string>();
            if (!m.has(r.piType)) m.set(r.piType, r.code);
            held.set(r.customerId, m);
          }
        }
        const names = await categoryNames(tx, c.fields);
        const facts = {
          reason: REASON_TEXT[c.reason]!,
          recipientName: c.receivingPartyName,
          recipientContact: c.receivingPartyContact,
          purpose: c.purpose,
          scope: scopeText(c.fields, names),
          deadline: c.responseDeadline,
        };
        const order = c.channels as NoticeChannel[];
        type Planned = { customerId: string; reference: string; channel: NoticeChannel | 'none'; text: L10nText; field: string | null };
        const planned: Planned[] = ids.map((customerId) => {
          const m = held.get(customerId) ?? new Map<string, string>();
          const available = new Set<NoticeChannel>();
          if (m.has('email')) available.add('email');
          if (m.has('cn_mobile')) available.add('sms');
          if (m.has('address')) available.add('letter');
          const channel = pickChannel(order, available);
          const reference = newReference();
          const field =
            channel === 'email'
              ? m.get('email')!
              : channel === 'sms'
                ? m.get('cn_mobile')!
                : channel === 'letter'
                  ? m.get('address')!
                  : null;
          return { customerId, reference, channel, text: renderNotice(c.noticeTemplate, { ...facts, reference }), field };
        });

        // Letters: the batch document holds names and addresses, so it is rendered from the vault
        // each time it is downloaded; only its hash is kept.
        const letterPlan = planned.filter((p) => p.channel === 'letter');
        let batchId: string | null = null;
        let documentHash: string | null = null;
        if (letterPlan.length) {
          const addresses = await letterAddresses(
            tx,
            letterPlan.map((p) => ({
              customerId: p.customerId,
              nameField: held.get(p.customerId)?.get('person_name') ?? null,
              addressField: p.field!,
            })),
          );
          const letters: Letter[] = [];
          for (const p of letterPlan) {
            const a = addresses.get(p.customerId);
            if (!a) {
              p.channel = 'none';
              continue;
            }
            letters.push({ reference: p.reference, name: a.name, address: a.address, text: p.text });
          }
          await audit({
            action: 'transfer.letter_addresses_read',
            resourceType: 'transfer_campaign',
            resourceId: id,
            details: { customers: letterPlan.length, fields: ['address', 'person_name'] },
          });
          if (letters.length) {
            batchId = randomUUID();
            documentHash = sha256Hex(letterDocument(c.title, letters));
            await tx
              .insert(transferLetterBatches)
              .values({ id: batchId, campaignId: id, letters: letters.length, documentHash, createdBy: actor.username });
          }
        }

        const rows: Array<typeof transferNotices.$inferInsert> = [];
        for (const p of planned) {
          let outboxId: number | null = null;
          if (p.channel === 'email' || p.channel === 'sms') {
            outboxId = await notifier.enqueue(tx, {
              topic: 'transfer.notice',
              transport: p.channel,
              recipient: { kind: 'customer_field', customerId: p.customerId, field: p.field! },
              subject: `个人信息转移告知 / Notice of transfer of your personal information (${p.reference})`,
              text: `${p.text['zh-CN']}\n\n${p.text.en}`,
            });
          }
          rows.push({
            campaignId: id,
            customerId: p.customerId,
            reference: p.reference,
            channel: p.channel,
            outboxId,
            letterBatchId: p.channel === 'letter' ? batchId : null,
            text: p.text,
            textHash: textHash(p.text),
          });
        }
        for (let i = 0; i < rows.length; i += CHUNK) await tx.insert(transferNotices).values(rows.slice(i, i + CHUNK));
        const [u] = await tx
          .update(transferCampaigns)
          .set({ status: 'notifying', noticesSentAt: new Date() })
          .where(eq(transferCampaigns.id, id))
          .returning();
        const byChannel = { email: 0, sms: 0, letter: 0, none: 0 };
        for (const p of planned) byChannel[p.channel]++;
        await audit({
          action: 'transfer_campaign.notices_sent',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: { inScope: planned.length, byChannel, letterBatchId: batchId, letterDocumentHash: documentHash },
        });
        return { view: await view(tx, u!), queued: byChannel.email + byChannel.sms };
      });
      if (result.queued) notifier.kick();
      return result.view;
    },

    /** A customer's answer recorded by staff, with the evidence's hash; the latest answer counts. */
    recordResponse(actor: Actor, id: string, input: RecordTransferResponseInput): Promise<TransferNotice> {
      return runner.run(actor, OPERATIONS.recordTransferResponse, async ({ tx, audit }) => {
        const data = parseInput(recordTransferResponseInput, input);
        if (data.note) assertNoPlainPi('note', data.note);
        if (data.legalBasis) assertNoPlainPi('legalBasis', data.legalBasis);
        const c = await load(tx, id);
        if (c.status !== 'notifying')
          throw new ConflictError(`answers are recorded while the notices are out (the campaign is ${c.status})`, CLAUSES);
        const notice = (
          await tx
            .select({ id: transferNotices.id })
            .from(transferNotices)
            .where(and(eq(transferNotices.campaignId, id), eq(transferNotices.customerId, data.customerId)))
        )[0];
        if (!notice) throw new NotFoundError('this customer is not in the campaign');
        await tx.insert(transferResponses).values({
          campaignId: id,
          customerId: data.customerId,
          answer: data.answer,
          legalBasis: data.legalBasis ?? null,
          method: 'staff',
          channel: data.channel,
          evidence: { documentHash: data.evidence.documentHash },
          note: data.note ?? null,
          recordedBy: actor.username,
        });
        await audit({
          action: 'transfer.response_recorded',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: {
            customerId: data.customerId,
            answer: data.answer,
            legalBasis: data.legalBasis ?? null,
            method: 'staff',
            channel: data.channel,
            documentHash: data.evidence.documentHash,
          },
        });
        const row = (await members(tx, id)).find((m) => m.customer_id === data.customerId)!;
        return toNotice(row);
      });
    },

    /**
     * Execute: only customers whose latest answer is consent or a recorded legal basis (and who
     * still exist) are transferred; objectors and the silent are excluded. The plain package is
     * built in memory and only its hash is kept; the processing record names the customers by
     * hash and by reference to this campaign's notices.
     */
    execute(actor: Actor, id: string): Promise<TransferCampaign> {
      return runner.run(actor, OPERATIONS.executeTransfer, async ({ tx, audit }) => {
        const c = await load(tx, id, true);
        if (c.status !== 'notifying')
          throw new ConflictError(`only a campaign whose notices went out can be executed (this one is ${c.status})`, CLAUSES);
        await deps.impactGate(tx, c.impactAssessmentId, 'transfer');
        const rows = await members(tx, id);
        const included = rows.filter((r) => mayTransfer(r.answer) && r.customer_status === 'active').map((r) => r.customer_id);
        const objected = rows.filter((r) => r.answer === 'object').map((r) => r.customer_id);
        const silent = rows.filter((r) => !mayTransfer(r.answer) && r.answer !== 'object').map((r) => r.customer_id);
        const pkg = await buildPackage(tx, c, included);
        const setOutcome = async (ids: string[], outcome: NonNullable<CampaignMember['outcome']>) => {
          for (let i = 0; i < ids.length; i += CHUNK)
            await tx
              .update(transferNotices)
              .set({ outcome })
              .where(and(eq(transferNotices.campaignId, id), inArray(transferNotices.customerId, ids.slice(i, i + CHUNK))));
        };
        await setOutcome(included, 'transferred');
        await setOutcome(objected, 'excluded_objected');
        await setOutcome(silent, 'excluded_no_answer');
        const inc = new Set(included);
        const counts = campaignCounts(
          rows.map((r) => ({
            ...asMember(r),
            outcome: inc.has(r.customer_id)
              ? 'transferred'
              : r.answer === 'object'
                ? 'excluded_objected'
                : mayTransfer(r.answer)
                  ? null
                  : 'excluded_no_answer',
          })),
        );
        const byConsent = rows.filter((r) => inc.has(r.customer_id) && r.answer === 'consent').length;
        const record = await register.record(tx, {
          kind: 'transfer',
          subjectType: 'transfer_campaign',
          subjectId: id,
          actor,
          purposeCode: null,
          fields: c.fields,
          customerIds: included,
          customerListRef: `transfer_notices:${id}:transferred`,
          recipientName: c.receivingPartyName,
          legalBasis: `PIPL Art. 22 (${c.reason}): consent ${byConsent}, other legal basis ${included.length - byConsent}`,
          fileHash: pkg.hash,
          clauses: ['P6.1', 'P1.1'],
          details: { ...counts, reason: c.reason, impactAssessmentId: c.impactAssessmentId },
        });
        const [u] = await tx
          .update(transferCampaigns)
          .set({
            status: 'executed',
            executedBy: actor.username,
            executedAt: new Date(),
            report: counts,
            packageHash: pkg.hash,
            processingRecordId: record.id,
          })
          .where(eq(transferCampaigns.id, id))
          .returning();
        await audit({
          action: 'transfer.executed',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: { ...counts, fields: c.fields, packageHash: pkg.hash, processingRecordId: record.id },
        });
        await audit({
          action: 'processing_record.created',
          resourceType: 'processing_record',
          resourceId: record.id,
          details: { kind: 'transfer', subjectId: id, customers: record.customerCount, fileHash: pkg.hash },
        });
        return view(tx, u!);
      });
    },

    get(actor: Actor, id: string): Promise<TransferCampaign> {
      return runner.run(actor, OPERATIONS.getTransferCampaign, async ({ tx }) => view(tx, await load(tx, id)));
    },

    list(actor: Actor): Promise<TransferCampaign[]> {
      return runner.run(actor, OPERATIONS.listTransferCampaigns, async ({ tx }) => {
        const rows = await tx.select().from(transferCampaigns).orderBy(desc(transferCampaigns.createdAt)).limit(200);
        const out: TransferCampaign[] = [];
        for (const r of rows) out.push(await view(tx, r));
        return out;
      });
    },

    /** The campaign's customers (ids, references, delivery, answers, outcomes; no PI), filtered and paged. */
    listNotices(actor: Actor, id: string, query: ListTransferNoticesQuery = {}) {
      return runner.run(actor, OPERATIONS.listTransferNotices, async ({ tx }) => {
        const q = parseInput(listTransferNoticesQuery, query);
        await load(tx, id);
        const all = (await members(tx, id))
          .map(toNotice)
          .filter((n) => (!q.delivery || n.delivery === q.delivery) && (!q.answer || (n.answer ?? 'none') === q.answer));
        return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
      });
    },

    /** The printable letter batch (names and addresses decrypted now; audited), checked against the hash kept at sending. */
    downloadLetters(actor: Actor, id: string, batchId: string) {
      return runner.run(actor, OPERATIONS.downloadTransferLetters, async ({ tx, audit }) => {
        const c = await load(tx, id);
        const batch = UUID.test(batchId)
          ? (
              await tx
                .select()
                .from(transferLetterBatches)
                .where(and(eq(transferLetterBatches.id, batchId), eq(transferLetterBatches.campaignId, id)))
            )[0]
          : undefined;
        if (!batch) throw new NotFoundError('letter batch not found');
        const notices = await tx.select().from(transferNotices).where(eq(transferNotices.letterBatchId, batchId));
        const fieldRows = notices.length
          ? await tx
              .select({ customerId: customerFields.customerId, code: customerFields.categoryCode, piType: customerFields.piType })
              .from(customerFields)
              .where(
                and(
                  inArray(
                    customerFields.customerId,
                    notices.map((n) => n.customerId),
                  ),
                  inArray(customerFields.piType, ['address', 'person_name']),
                ),
              )
              .orderBy(asc(customerFields.categoryCode))
          : [];
        const fieldOf = (cid: string, t: string) => fieldRows.find((f) => f.customerId === cid && f.piType === t)?.code ?? null;
        const active = new Set(
          notices.length
            ? (
                await tx
                  .select({ id: customers.id })
                  .from(customers)
                  .where(
                    and(
                      inArray(
                        customers.id,
                        notices.map((n) => n.customerId),
                      ),
                      eq(customers.status, 'active'),
                    ),
                  )
              ).map((r) => r.id)
            : [],
        );
        const wanted = notices
          .filter((n) => active.has(n.customerId) && fieldOf(n.customerId, 'address'))
          .map((n) => ({
            customerId: n.customerId,
            nameField: fieldOf(n.customerId, 'person_name'),
            addressField: fieldOf(n.customerId, 'address')!,
          }));
        const addresses = await letterAddresses(tx, wanted);
        const letters: Letter[] = [];
        for (const n of notices) {
          const a = addresses.get(n.customerId);
          if (a) letters.push({ reference: n.reference, name: a.name, address: a.address, text: n.text });
        }
        const document = letterDocument(c.title, letters);
        const documentHash = sha256Hex(document);
        await audit({
          action: 'transfer.letters_downloaded',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: { batchId, letters: letters.length, documentHash, matchesRecordedHash: documentHash === batch.documentHash },
        });
        return { batchId, letters: letters.length, document, documentHash, matchesRecordedHash: documentHash === batch.documentHash };
      });
    },

    /** The executed transfer's handover package, encrypted under the caller's passphrase; its plain hash is checked against the record. */
    downloadPackage(actor: Actor, id: string, input: DownloadTransferPackageInput): Promise<TransferPackage> {
      return runner.run(actor, OPERATIONS.downloadTransferPackage, async ({ tx, audit }) => {
        const data = parseInput(downloadTransferPackageInput, input);
        const c = await load(tx, id);
        if (c.status !== 'executed') throw new ConflictError('the transfer has not been executed', CLAUSES);
        const ids = (
          await tx
            .select({ customerId: transferNotices.customerId })
            .from(transferNotices)
            .innerJoin(customers, eq(customers.id, transferNotices.customerId))
            .where(and(eq(transferNotices.campaignId, id), eq(transferNotices.outcome, 'transferred'), eq(customers.status, 'active')))
        ).map((r) => r.customerId);
        const pkg = await buildPackage(tx, c, ids);
        const env = encryptPackage(pkg.plain, data.passphrase);
        await audit({
          action: 'transfer.package_downloaded',
          resourceType: 'transfer_campaign',
          resourceId: id,
          details: { customers: pkg.customers, fields: c.fields, plainSha256: pkg.hash, matchesRecordedHash: pkg.hash === c.packageHash },
        });
        return {
          format: 'custos-transfer-package-v1',
          campaignId: id,
          customers: pkg.customers,
          fields: c.fields,
          plainSha256: pkg.hash,
          matchesRecordedHash: pkg.hash === c.packageHash,
          ...env,
        };
      });
    },

    /** The signed-in customer's transfer notices (portal). */
    listMine(actor: Actor): Promise<MyTransferNotice[]> {
      return runner.run(actor, OPERATIONS.listMyTransferNotices, async ({ tx }) => {
        if (!actor.customerId) throw new NotFoundError('customer not found');
        const rows = await tx
          .select({ n: transferNotices, c: transferCampaigns })
          .from(transferNotices)
          .innerJoin(transferCampaigns, eq(transferCampaigns.id, transferNotices.campaignId))
          .where(eq(transferNotices.customerId, actor.customerId))
          .orderBy(desc(transferNotices.createdAt));
        const out: MyTransferNotice[] = [];
        for (const { n, c } of rows) out.push(await myNotice(tx, n, c));
        return out;
      });
    },

    /** The customer answers a notice in the portal: consent or objection (the latest answer counts until execution). */
    answerMine(actor: Actor, input: AnswerTransferNoticeInput): Promise<MyTransferNotice> {
      return runner.run(actor, OPERATIONS.answerTransferNotice, async ({ tx, audit }) => {
        const data = parseInput(answerTransferNoticeInput, input);
        if (!actor.customerId) throw new NotFoundError('customer not found');
        const row = (
          await tx
            .select({ n: transferNotices, c: transferCampaigns })
            .from(transferNotices)
            .innerJoin(transferCampaigns, eq(transferCampaigns.id, transferNotices.campaignId))
            .where(and(eq(transferNotices.campaignId, data.campaignId), eq(transferNotices.customerId, actor.customerId)))
        )[0];
        if (!row) throw new NotFoundError('transfer notice not found');
        if (row.c.status !== 'notifying') throw new ConflictError('this transfer no longer takes answers', CLAUSES);
        await tx.insert(transferResponses).values({
          campaignId: data.campaignId,
          customerId: actor.customerId,
          answer: data.answer,
          method: 'portal',
          channel: 'portal',
          recordedBy: 'customer',
        });
        await audit({
          action: 'transfer.response_recorded',
          resourceType: 'transfer_campaign',
          resourceId: data.campaignId,
          details: { customerId: actor.customerId, answer: data.answer, method: 'portal' },
        });
        return myNotice(tx, row.n, row.c);
      });
    },
  };
}

export type TransfersService = ReturnType<typeof createTransfersService>;
