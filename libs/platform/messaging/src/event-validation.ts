import { EVENT_SCHEMAS, type LiveTopic } from '@sextant/contracts';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

export class EventValidationError extends Error {
  constructor(topic: string, problems: string[]) {
    super(`payload does not match ${topic}: ${problems.join('; ')}`);
    this.name = 'EventValidationError';
  }
}

export function isLiveTopic(topic: string): topic is LiveTopic {
  return topic in EVENT_SCHEMAS;
}

/** Checks a payload against its topic's JSON Schema in contracts/events; throws what is wrong. */
export function assertValidEvent(topic: string, payload: unknown): void {
  if (!isLiveTopic(topic)) throw new EventValidationError(topic, ['no schema is declared for this topic']);
  let validate = validators.get(topic);
  if (!validate) {
    validate = ajv.compile(EVENT_SCHEMAS[topic]);
    validators.set(topic, validate);
  }
  if (!validate(payload)) {
    throw new EventValidationError(
      topic,
      (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`),
    );
  }
}
