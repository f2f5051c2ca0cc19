import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let clock = 0;
  const breaker = () => new CircuitBreaker(3, 1_000, () => clock);

  beforeEach(() => (clock = 0));

  it('opens after the threshold of consecutive failures and fails fast while open', () => {
    const b = breaker();
    b.failed();
    b.failed();
    expect(b.admit()).toEqual({ allowed: true });
    b.failed();
    expect(b.state).toBe('open');
    clock = 400;
    expect(b.admit()).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('a success resets the count of consecutive failures', () => {
    const b = breaker();
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.state).toBe('closed');
  });

  it('lets one trial through after the open period; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    clock = 1_000;
    expect(b.admit()).toEqual({ allowed: true });
    expect(b.state).toBe('half-open');
    expect(b.admit().allowed).toBe(false);
    b.succeeded();
    expect(b.state).toBe('closed');
    expect(b.admit()).toEqual({ allowed: true });
  });

  it('a failed trial opens it again for a full period', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    clock = 1_500;
    b.admit();
    b.failed();
    expect(b.state).toBe('open');
    clock = 2_000;
    expect(b.admit()).toEqual({ allowed: false, retryAfterMs: 500 });
  });
});
