// Per-provider circuit breakers: a provider that keeps failing is left alone for a cool-down, then probed.
import {
  PROVIDER_CIRCUIT_COOL_DOWN_BASE_MS,
  PROVIDER_CIRCUIT_COOL_DOWN_CAP_MS,
  PROVIDER_CIRCUIT_FAILURE_WINDOW_MS,
  PROVIDER_CIRCUIT_FAILURES_TO_OPEN,
  PROVIDER_CIRCUIT_PROBE_MESSAGES_MAX,
  PROVIDER_CIRCUIT_PROBE_WAIT_MS,
} from '../domain/limits.js';
import { type ClockUs, systemClockUs, US_PER_MS } from '../domain/time.js';

/**
 * `closed`: traffic flows. `open`: after repeated failures, nothing is handed over until the cool-down ends.
 * `half-open`: the cool-down is over; one small probe batch goes, and its outcome closes or re-opens the circuit.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitPolicy {
  /** Failed calls in a row that open the circuit. */
  readonly failuresToOpen: number;
  /** The failures in a row count only while the first of them is at most this old. */
  readonly failureWindowMs: number;
  /** The first cool-down; each failed probe doubles it, up to the cap. */
  readonly coolDownBaseMs: number;
  readonly coolDownCapMs: number;
  /** Messages of the one probe batch a half-open circuit lets through. */
  readonly probeMessagesMax: number;
  /** How much later a message held back while a probe is out tries again. */
  readonly probeWaitMs: number;
}

export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = {
  failuresToOpen: PROVIDER_CIRCUIT_FAILURES_TO_OPEN,
  failureWindowMs: PROVIDER_CIRCUIT_FAILURE_WINDOW_MS,
  coolDownBaseMs: PROVIDER_CIRCUIT_COOL_DOWN_BASE_MS,
  coolDownCapMs: PROVIDER_CIRCUIT_COOL_DOWN_CAP_MS,
  probeMessagesMax: PROVIDER_CIRCUIT_PROBE_MESSAGES_MAX,
  probeWaitMs: PROVIDER_CIRCUIT_PROBE_WAIT_MS,
};

/** One provider's circuit as it stands, for logs and metrics. */
export interface ProviderHealthState {
  readonly provider: string;
  readonly state: CircuitState;
  /** Failed calls in the current run of failures (0 after a success). */
  readonly consecutiveFailures: number;
  /** The cool-down of the current opening, or of the next one when closed. */
  readonly coolDownMs: number;
  /** When an open circuit turns half-open; null otherwise. */
  readonly openUntilUs: number | null;
  /** Times the circuit opened (re-openings included) since the process started. */
  readonly opens: number;
  readonly probeInFlight: boolean;
  /** The error of the latest failed call, if any. */
  readonly lastError: string | null;
}

export interface CircuitChange {
  readonly provider: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly atUs: number;
  /** Why: the failures that opened it, the probe's outcome, or the cool-down's end. */
  readonly reason: string;
  /** The cool-down starting now (to `open` only). */
  readonly coolDownMs?: number;
  readonly lastError?: string | null;
}

/**
 * What a call told of its provider. `up`: it answered about the messages (accepted, or refused one of them for good).
 * `down`: it timed out, lost its answer, or refused every message retryably (throttled, failing, unreachable).
 * null: no call was made.
 */
export type HandOverVerdict = 'up' | 'down' | null;

/** Leave to hand over `messages` messages (0: none now); settle it with what the call told, once. */
export interface CircuitPass {
  readonly messages: number;
  /** Whether this is the probe of a half-open circuit. */
  readonly probe: boolean;
  settle(verdict: HandOverVerdict, error?: string): void;
}

interface Circuit {
  state: CircuitState;
  /** Bumped on each change of state: a pass given before a change says nothing about the circuit after it. */
  generation: number;
  failures: number;
  firstFailureAtUs: number;
  openedAtUs: number;
  coolDownMs: number;
  opens: number;
  probeInFlight: boolean;
  lastError: string | null;
}

const NO_PASS: CircuitPass = { messages: 0, probe: false, settle() {} };

/**
 * The circuits of every provider this process hands over to. State lives in the process: each worker process judges
 * providers by its own calls (several workers each open their own circuit, a few calls apart), and a restart starts
 * closed. That is enough to stop hammering a dead provider; it is not a shared view of provider health.
 */
export class ProviderHealth {
  readonly policy: CircuitPolicy;
  readonly #clockUs: ClockUs;
  readonly #circuits = new Map<string, Circuit>();
  readonly #listeners = new Set<(change: CircuitChange) => void>();

  constructor(options: { readonly clockUs?: ClockUs; readonly policy?: Partial<CircuitPolicy> } = {}) {
    this.#clockUs = options.clockUs ?? systemClockUs;
    this.policy = { ...DEFAULT_CIRCUIT_POLICY, ...options.policy };
    const p = this.policy;
    if (!Number.isSafeInteger(p.failuresToOpen) || p.failuresToOpen < 1) {
      throw new RangeError('failuresToOpen must be a positive integer');
    }
    if (!Number.isSafeInteger(p.probeMessagesMax) || p.probeMessagesMax < 1) {
      throw new RangeError('probeMessagesMax must be a positive integer');
    }
    if (!(p.coolDownBaseMs > 0 && p.coolDownCapMs >= p.coolDownBaseMs)) {
      throw new RangeError('the cool-down base must be positive and not above the cap');
    }
  }

  /** Calls `listener` on every change of state; returns how to stop. */
  onChange(listener: (change: CircuitChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #circuit(provider: string): Circuit {
    let circuit = this.#circuits.get(provider);
    if (!circuit) {
      circuit = {
        state: 'closed',
        generation: 0,
        failures: 0,
        firstFailureAtUs: 0,
        openedAtUs: 0,
        coolDownMs: this.policy.coolDownBaseMs,
        opens: 0,
        probeInFlight: false,
        lastError: null,
      };
      this.#circuits.set(provider, circuit);
    }
    return circuit;
  }

  #move(provider: string, circuit: Circuit, to: CircuitState, nowUs: number, reason: string): void {
    const from = circuit.state;
    circuit.state = to;
    circuit.generation++;
    circuit.probeInFlight = false;
    if (to === 'open') {
      circuit.openedAtUs = nowUs;
      circuit.opens++;
    }
    if (to === 'closed') {
      circuit.failures = 0;
      circuit.coolDownMs = this.policy.coolDownBaseMs;
    }
    const change: CircuitChange = {
      provider,
      from,
      to,
      atUs: nowUs,
      reason,
      ...(to === 'open' && { coolDownMs: circuit.coolDownMs, lastError: circuit.lastError }),
    };
    for (const listener of this.#listeners) listener(change);
  }

  /** The circuit, after turning half-open if its cool-down is over (the change is noticed when asked). */
  #current(provider: string): Circuit {
    const circuit = this.#circuit(provider);
    if (circuit.state === 'open') {
      const nowUs = this.#clockUs();
      if (nowUs >= circuit.openedAtUs + circuit.coolDownMs * US_PER_MS) {
        this.#move(provider, circuit, 'half-open', nowUs, 'cool-down over');
      }
    }
    return circuit;
  }

  state(provider: string): CircuitState {
    return this.#current(provider).state;
  }

  /** Whether new traffic should be routed to the provider: closed, or half-open with its probe not yet taken. */
  routable(provider: string): boolean {
    const circuit = this.#current(provider);
    return circuit.state === 'closed' || (circuit.state === 'half-open' && !circuit.probeInFlight);
  }

  /** Leave to hand over up to `wanted` messages now: all when closed, none when open, the probe when half-open. */
  pass(provider: string, wanted: number): CircuitPass {
    const circuit = this.#current(provider);
    if (wanted <= 0 || circuit.state === 'open') return NO_PASS;
    if (circuit.state === 'half-open') {
      if (circuit.probeInFlight) return NO_PASS;
      circuit.probeInFlight = true;
    }
    const probe = circuit.state === 'half-open';
    const generation = circuit.generation;
    let settled = false;
    return {
      messages: probe ? Math.min(wanted, this.policy.probeMessagesMax) : wanted,
      probe,
      settle: (verdict, error) => {
        if (settled) return;
        settled = true;
        // The circuit changed while the call was out (another call opened it): this call says nothing more.
        if (circuit.generation !== generation) return;
        if (probe) circuit.probeInFlight = false;
        if (verdict === null) return;
        this.#settle(provider, circuit, probe, verdict, error);
      },
    };
  }

  #settle(provider: string, circuit: Circuit, probe: boolean, verdict: 'up' | 'down', error?: string): void {
    const nowUs = this.#clockUs();
    if (verdict === 'up') {
      if (probe) this.#move(provider, circuit, 'closed', nowUs, 'probe succeeded');
      else circuit.failures = 0;
      return;
    }
    circuit.lastError = error ?? null;
    if (probe) {
      circuit.coolDownMs = Math.min(this.policy.coolDownCapMs, circuit.coolDownMs * 2);
      this.#move(provider, circuit, 'open', nowUs, 'probe failed');
      return;
    }
    const windowUs = this.policy.failureWindowMs * US_PER_MS;
    if (circuit.failures === 0 || nowUs - circuit.firstFailureAtUs > windowUs) {
      circuit.failures = 1;
      circuit.firstFailureAtUs = nowUs;
    } else {
      circuit.failures++;
    }
    if (circuit.failures >= this.policy.failuresToOpen) {
      this.#move(provider, circuit, 'open', nowUs, `${circuit.failures} failed calls in a row`);
    }
  }

  /**
   * Opens the circuit at once, whatever its failures so far, with `reason` shown as its last error: the provider has
   * said it will take nothing from us (credentials refused, a bind refused) until someone acts. A re-opening after a
   * probe doubles the cool-down, as a failed probe does; an open circuit only takes the newer reason.
   */
  markDown(provider: string, reason: string): void {
    const circuit = this.#current(provider);
    circuit.lastError = reason;
    if (circuit.state === 'open') return;
    if (circuit.state === 'half-open') {
      circuit.coolDownMs = Math.min(this.policy.coolDownCapMs, circuit.coolDownMs * 2);
    }
    this.#move(provider, circuit, 'open', this.#clockUs(), `marked down: ${reason}`);
  }

  /** When a message this circuit held back may be tried again: the end of the cool-down, or after the probe. */
  heldUntilUs(provider: string): number {
    const circuit = this.#current(provider);
    const nowUs = this.#clockUs();
    if (circuit.state === 'open') return circuit.openedAtUs + circuit.coolDownMs * US_PER_MS;
    if (circuit.state === 'half-open') return nowUs + this.policy.probeWaitMs * US_PER_MS;
    return nowUs;
  }

  /** Every provider's circuit that has been used, by name. */
  snapshot(): ProviderHealthState[] {
    return [...this.#circuits.keys()].sort().map((provider) => {
      const c = this.#current(provider);
      return {
        provider,
        state: c.state,
        consecutiveFailures: c.failures,
        coolDownMs: c.coolDownMs,
        openUntilUs: c.state === 'open' ? c.openedAtUs + c.coolDownMs * US_PER_MS : null,
        opens: c.opens,
        probeInFlight: c.probeInFlight,
        lastError: c.lastError,
      };
    });
  }
}
