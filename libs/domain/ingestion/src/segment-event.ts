/**
 * Events in the shape of Segment's HTTP Tracking API, with the same field names and meaning:
 * https://segment.com/docs/connections/spec/common/ (common fields, context, timestamps) and
 * https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/ (calls, batch, limits).
 */
import { parseIsoDateTime } from './iso-time';
import { describeType, isPlainObject, type Problem } from './problems';

export const SEGMENT_EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentEventType = (typeof SEGMENT_EVENT_TYPES)[number];

/** Segment: "a maximum of 32KB per normal API request ... a limit of 32KB per event in the batch". */
export const MAX_EVENT_BYTES = 32 * 1024;
/** Segment: "The batch API endpoint accepts a maximum of 500KB per request". */
export const MAX_BATCH_BYTES = 500 * 1024;
/**
 * Segment documents no count limit, only bytes. Ours: 2,500 events (a batch of minimal events, about
 * 200 bytes each, reaches 500 KB near there), so a batch is bounded in work as well as in bytes.
 */
export const MAX_BATCH_EVENTS = 2500;
/** Our rule for `track` event names (Segment recommends short "Object Action" names). */
export const MAX_EVENT_NAME_LENGTH = 200;

/** `context.campaign`: the UTM parameters (`name` is utm_campaign), plus any custom ones. */
export interface SegmentCampaign {
  name?: string;
  source?: string;
  medium?: string;
  term?: string;
  content?: string;
  [custom: string]: unknown;
}

export interface SegmentPage {
  path?: string;
  referrer?: string;
  search?: string;
  title?: string;
  url?: string;
}

export interface SegmentContext {
  active?: boolean;
  app?: Record<string, unknown>;
  campaign?: SegmentCampaign;
  device?: Record<string, unknown>;
  ip?: string;
  library?: { name?: string; version?: string };
  locale?: string;
  location?: Record<string, unknown>;
  network?: Record<string, unknown>;
  os?: { name?: string; version?: string };
  page?: SegmentPage;
  referrer?: { id?: string; type?: string; name?: string; url?: string; link?: string };
  screen?: Record<string, unknown>;
  timezone?: string;
  groupId?: string;
  traits?: Record<string, unknown>;
  userAgent?: string;
  [other: string]: unknown;
}

interface SegmentCommonFields {
  messageId?: string;
  anonymousId?: string;
  userId?: string;
  /** When the event happened, as sent by the client (becomes `originalTimestamp`). */
  timestamp?: string;
  originalTimestamp?: string;
  /** Client clock when the request was sent. */
  sentAt?: string;
  /** Server clock at arrival; set by us, never trusted from the client. */
  receivedAt?: string;
  context?: SegmentContext;
  integrations?: Record<string, unknown>;
  version?: number;
}

export interface SegmentTrack extends SegmentCommonFields {
  type: 'track';
  event: string;
  properties?: Record<string, unknown>;
}
export interface SegmentIdentify extends SegmentCommonFields {
  type: 'identify';
  traits?: Record<string, unknown>;
}
export interface SegmentPageView extends SegmentCommonFields {
  type: 'page';
  name?: string;
  category?: string;
  properties?: Record<string, unknown>;
}
export interface SegmentScreen extends SegmentCommonFields {
  type: 'screen';
  name?: string;
  category?: string;
  properties?: Record<string, unknown>;
}
export interface SegmentGroup extends SegmentCommonFields {
  type: 'group';
  groupId: string;
  traits?: Record<string, unknown>;
}
export interface SegmentAlias extends SegmentCommonFields {
  type: 'alias';
  previousId: string;
  userId: string;
}

export type SegmentEvent =
  SegmentTrack | SegmentIdentify | SegmentPageView | SegmentScreen | SegmentGroup | SegmentAlias;

/** The body of `POST /v1/batch`: `context` and `integrations` merge into every item's own. */
export interface SegmentBatch {
  batch: unknown[];
  context?: SegmentContext;
  integrations?: Record<string, unknown>;
  sentAt?: string;
}

export interface EventValidationOptions {
  /** The type implied by a single-call endpoint (`/v1/track` -> `track`); a differing `type` is refused. */
  endpointType?: SegmentEventType;
}

export type EventValidation = { ok: true; event: SegmentEvent } | { ok: false; problems: Problem[] };

export interface BatchValidation {
  /** Problems with the envelope itself (size, shape); when present no event is accepted. */
  problems: Problem[];
  accepted: { index: number; event: SegmentEvent }[];
  rejected: { index: number; problems: Problem[] }[];
}

export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** Validates one event of a single-call endpoint (`/v1/track`, `/v1/identify`, ...). */
export function validateSegmentEvent(input: unknown, options: EventValidationOptions = {}): EventValidation {
  const problems: Problem[] = [];
  if (isPlainObject(input)) {
    const bytes = jsonByteLength(input);
    if (bytes > MAX_EVENT_BYTES) {
      problems.push({ path: '', reason: `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} (32 KB)` });
    }
  }
  return finish(input, '', options.endpointType, problems);
}

/**
 * Validates a batch body. `bodyBytes` is the size of the raw request body when the caller has it
 * (otherwise the size of the parsed body re-serialised). Each item is checked on its own, so one bad
 * event does not reject the others; item paths read `/batch/<index>/<field>`.
 */
export function validateSegmentBatch(input: unknown, bodyBytes?: number): BatchValidation {
  const result: BatchValidation = { problems: [], accepted: [], rejected: [] };
  if (!isPlainObject(input)) {
    result.problems.push({
      path: '',
      reason: `batch body must be a JSON object, got ${describeType(input)}`,
    });
    return result;
  }
  const size = bodyBytes ?? jsonByteLength(input);
  if (size > MAX_BATCH_BYTES) {
    result.problems.push({
      path: '',
      reason: `batch is ${size} bytes; the limit is ${MAX_BATCH_BYTES} (500 KB)`,
    });
  }
  const items = input.batch;
  if (!Array.isArray(items)) {
    result.problems.push({
      path: '/batch',
      reason: `must be an array of events, got ${describeType(items)}`,
    });
  } else if (items.length === 0) {
    result.problems.push({ path: '/batch', reason: 'must contain at least one event' });
  } else if (items.length > MAX_BATCH_EVENTS) {
    result.problems.push({
      path: '/batch',
      reason: `has ${items.length} events; the limit is ${MAX_BATCH_EVENTS}`,
    });
  }
  checkObjectField(input, 'context', '', result.problems);
  checkObjectField(input, 'integrations', '', result.problems);
  checkTimestampField(input, 'sentAt', '', result.problems);
  if (result.problems.length > 0 || !Array.isArray(items)) return result;

  items.forEach((item, index) => {
    const path = `/batch/${index}`;
    const problems: Problem[] = [];
    if (isPlainObject(item)) {
      const bytes = jsonByteLength(item);
      if (bytes > MAX_EVENT_BYTES) {
        problems.push({ path, reason: `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} (32 KB)` });
      }
    }
    const checked = finish(item, path, undefined, problems);
    if (!checked.ok) {
      result.rejected.push({ index, problems: checked.problems });
      return;
    }
    result.accepted.push({
      index,
      event: withBatchDefaults(checked.event, input as unknown as SegmentBatch),
    });
  });
  return result;
}

function withBatchDefaults(event: SegmentEvent, batch: SegmentBatch): SegmentEvent {
  const merged: SegmentEvent = { ...event };
  if (batch.context) merged.context = { ...batch.context, ...event.context };
  if (batch.integrations) merged.integrations = { ...batch.integrations, ...event.integrations };
  if (batch.sentAt !== undefined && event.sentAt === undefined) merged.sentAt = batch.sentAt;
  return merged;
}

function finish(
  input: unknown,
  path: string,
  endpointType: SegmentEventType | undefined,
  problems: Problem[],
): EventValidation {
  if (!isPlainObject(input)) {
    problems.push({ path, reason: `event must be a JSON object, got ${describeType(input)}` });
    return { ok: false, problems };
  }
  const type = input.type ?? endpointType;
  if (type === undefined) {
    problems.push({ path: `${path}/type`, reason: `is required; one of ${SEGMENT_EVENT_TYPES.join(', ')}` });
  } else if (!SEGMENT_EVENT_TYPES.includes(type as SegmentEventType)) {
    problems.push({
      path: `${path}/type`,
      reason: `unknown event type ${JSON.stringify(type)}; expected one of ${SEGMENT_EVENT_TYPES.join(', ')}`,
    });
  } else if (endpointType !== undefined && type !== endpointType) {
    problems.push({
      path: `${path}/type`,
      reason: `is ${JSON.stringify(type)} but this endpoint takes "${endpointType}" events`,
    });
  }
  checkCommonFields(input, path, type, problems);
  checkTypeFields(input, path, type, problems);
  if (problems.length > 0) return { ok: false, problems };
  // The client's receivedAt is never trusted: the server sets it when normalising.
  const event = { ...input, type } as Record<string, unknown>;
  delete event.receivedAt;
  return { ok: true, event: event as unknown as SegmentEvent };
}

function checkCommonFields(
  input: Record<string, unknown>,
  path: string,
  type: unknown,
  problems: Problem[],
): void {
  for (const field of ['messageId', 'anonymousId', 'userId'] as const) {
    checkIdField(input, field, path, problems);
  }
  if (type !== 'alias' && !hasId(input.userId) && !hasId(input.anonymousId)) {
    problems.push({ path: `${path}/userId`, reason: 'a userId or an anonymousId is required' });
  }
  for (const field of ['timestamp', 'originalTimestamp', 'sentAt'] as const) {
    checkTimestampField(input, field, path, problems);
  }
  checkObjectField(input, 'integrations', path, problems);
  if (checkObjectField(input, 'context', path, problems)) {
    checkContext(input.context as Record<string, unknown>, `${path}/context`, problems);
  }
}

function checkTypeFields(
  input: Record<string, unknown>,
  path: string,
  type: unknown,
  problems: Problem[],
): void {
  switch (type) {
    case 'track':
      checkEventName(input.event, `${path}/event`, problems);
      checkObjectField(input, 'properties', path, problems);
      break;
    case 'identify':
      checkObjectField(input, 'traits', path, problems);
      break;
    case 'page':
    case 'screen':
      checkStringField(input, 'name', path, problems);
      checkStringField(input, 'category', path, problems);
      checkObjectField(input, 'properties', path, problems);
      break;
    case 'group':
      if (!hasId(input.groupId))
        problems.push({ path: `${path}/groupId`, reason: 'is required for group calls' });
      checkObjectField(input, 'traits', path, problems);
      break;
    case 'alias':
      if (!hasId(input.previousId)) {
        problems.push({ path: `${path}/previousId`, reason: 'is required for alias calls' });
      }
      if (!hasId(input.userId))
        problems.push({ path: `${path}/userId`, reason: 'is required for alias calls' });
      break;
  }
}

function checkEventName(name: unknown, path: string, problems: Problem[]): void {
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push({ path, reason: 'is required for track calls and must be a non-empty string' });
  } else if (name.length > MAX_EVENT_NAME_LENGTH) {
    problems.push({ path, reason: `is ${name.length} characters; the limit is ${MAX_EVENT_NAME_LENGTH}` });
  } else if (/\p{Cc}/u.test(name)) {
    problems.push({ path, reason: 'must not contain control characters' });
  } else if (name !== name.trim()) {
    problems.push({ path, reason: 'must not start or end with whitespace' });
  }
}

const CONTEXT_STRINGS = ['ip', 'userAgent', 'locale', 'timezone', 'groupId'] as const;
const CONTEXT_OBJECTS = [
  'app',
  'campaign',
  'device',
  'library',
  'location',
  'network',
  'os',
  'page',
  'referrer',
  'screen',
  'traits',
] as const;
const CAMPAIGN_STRINGS = ['name', 'source', 'medium', 'term', 'content'] as const;
const PAGE_STRINGS = ['path', 'referrer', 'search', 'title', 'url'] as const;

function checkContext(context: Record<string, unknown>, path: string, problems: Problem[]): void {
  for (const field of CONTEXT_STRINGS) checkStringField(context, field, path, problems);
  for (const field of CONTEXT_OBJECTS) checkObjectField(context, field, path, problems);
  if (isPlainObject(context.campaign)) {
    for (const field of CAMPAIGN_STRINGS)
      checkStringField(context.campaign, field, `${path}/campaign`, problems);
  }
  if (isPlainObject(context.page)) {
    for (const field of PAGE_STRINGS) checkStringField(context.page, field, `${path}/page`, problems);
  }
}

function hasId(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function checkIdField(
  input: Record<string, unknown>,
  field: string,
  path: string,
  problems: Problem[],
): void {
  const value = input[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') {
    problems.push({ path: `${path}/${field}`, reason: `must be a string, got ${describeType(value)}` });
  } else if (value.trim() === '') {
    problems.push({ path: `${path}/${field}`, reason: 'must not be empty' });
  }
}

function checkStringField(
  input: Record<string, unknown>,
  field: string,
  path: string,
  problems: Problem[],
): void {
  const value = input[field];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    problems.push({ path: `${path}/${field}`, reason: `must be a string, got ${describeType(value)}` });
  }
}

/** True when the field is an object (present and valid). */
function checkObjectField(
  input: Record<string, unknown>,
  field: string,
  path: string,
  problems: Problem[],
): boolean {
  const value = input[field];
  if (value === undefined) return false;
  if (!isPlainObject(value)) {
    problems.push({ path: `${path}/${field}`, reason: `must be an object, got ${describeType(value)}` });
    return false;
  }
  return true;
}

function checkTimestampField(
  input: Record<string, unknown>,
  field: string,
  path: string,
  problems: Problem[],
): void {
  if (input[field] === undefined) return;
  const parsed = parseIsoDateTime(input[field]);
  if (!parsed.ok) problems.push({ path: `${path}/${field}`, reason: parsed.reason });
}
