// Shared types and constants of the scenario generator (generator.ts injects causes, signals.ts turns them into telemetry).
import type { Change } from '../../core/model';
import type { IncidentTruth } from '../truth';
import type { Rng } from './world';

export const SCENARIO_KINDS = [
  'deploy-exception',
  'latency-regression',
  'bad-config',
  'dependency-outage',
  'memory-leak',
  'traffic-spike',
  'node-fault',
  'alert-storm',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export const STEP_MS = 15_000;
export const MIN = 60_000;
export const HOUR = 3600_000;

export interface Frame {
  path: string;
  line: number;
  fn: string;
}

/** What the injected cause does to the signals. */
export interface Fault {
  onset: number;
  /** Added error ratio where the fault originates. */
  errorAt?: { service: string; ratio: number; host?: string };
  /** Latency multiplier where the fault originates. */
  slowAt?: { service: string; factor: number; host?: string };
  /** The span that fails or slows: a client call to a dependency, or the service's own handler. */
  via?: { dependency: string } | { handler: true };
  exception?: { type: string; message: string; frames: Frame[] };
  /** Extra attributes on the failing/slow span: code.* of where it happens. */
  code?: Frame;
  errorLog?: string;
  warnLog?: string;
  leak?: { service: string; mbPerMin: number; start: number };
  traffic?: { factor: number; services: string[]; saturated: string };
  host?: string;
}

export interface Ctx {
  rng: Rng;
  kind: ScenarioKind;
  alertTime: number;
  start: number;
  end: number;
  fault: Fault;
  changes: Change[];
  truth: IncidentTruth;
  /** Ways real incidents are harder than the textbook: drawn per bundle. */
  hard: Hardness;
}

export interface Hardness {
  /** The services log and trace exceptions without stack traces or code attributes. */
  noStacks: boolean;
  /** Another service deployed minutes before the onset too. */
  coDeploy: boolean;
  /** An earlier deploy touched the same file as the cause (other lines). */
  sameFile: boolean;
  /** The symptom is faint: few errors, little extra latency. */
  weak: boolean;
}
