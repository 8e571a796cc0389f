// What a fault of the fault-injection lab is: the commits it adds to the lab workspace (innocent and
// guilty), the steps that inject it while the lab runs, the alert the real rules are expected to
// fire, and its ground truth, written before the fault is ever recorded.
import type { IncidentTruth } from '../../../src/eval/truth';

export type LabAuthor = 'alice' | 'bob' | 'carol' | 'dave' | 'erin';

export type FileEdit =
  /** Replace text that occurs exactly once in the file. */
  | { path: string; before: string; after: string }
  /** Write the whole file. */
  | { path: string; content: string };

/** A commit of a fault's plan, applied after the platform's last good deploy. */
export interface PlannedChange {
  /** How steps and the truth refer to it; never a sha (shas depend on the day the workspace is made). */
  id: string;
  author: LabAuthor;
  /** Authored this long before the recording starts; ignored for live commits. */
  minutesAgo: number;
  message: string;
  edits: FileEdit[];
  /** Committed while the lab runs, at a step (a GitOps change), instead of when the workspace is made. */
  live?: boolean;
}

/** The truth of a fault, as written before any recording: the guilty commit by plan id. */
export type FaultTruth = Omit<IncidentTruth, 'commit'> & { commitRef?: string };

export interface ExpectedAlert {
  /** Which rules fire it: the embedded receiver's built-in rules, or the lab's Prometheus rules through Alertmanager. */
  via: 'receiver' | 'alertmanager';
  alertname: string;
  service: string;
}

/** What a fault's steps can do to the running lab. */
export interface FaultLabControl {
  /** Deploys a plan commit (by id), or 'good' (the last good deploy), to a service through deploy.js. */
  deploy(service: string, commit: string): Promise<void>;
  /** Commits a live plan change now (a GitOps merge). */
  commitLive(id: string): Promise<void>;
  /** Copies the flag file at the workspace's HEAD to where the services read it (a GitOps sync). */
  syncFlags(): Promise<void>;
  /** Starts an interactive psql session as an operator would, sends it these lines, and leaves it open. */
  openPsqlSession(lines: string[]): Promise<void>;
  /** Changes the acquirer stand-in's behaviour. */
  setAcquirer(settings: { latencyMs?: number; concurrency?: number; rateLimitPerS?: number }): void;
  /** Stops the acquirer stand-in (an outage of the third party). */
  stopAcquirer(): Promise<void>;
  /** Extra shoppers (a campaign), for this long. */
  startCampaign(rps: number, durationS: number, browseShare?: number): void;
  note(message: string): void;
}

export interface FaultStep {
  /** Seconds after the baseline ends. */
  atS: number;
  what: string;
  run(lab: FaultLabControl): Promise<void>;
}

export interface FaultDefinition {
  /** The file name of its bundle and the scenario "lab:<name>". */
  name: string;
  title: string;
  /** How it is injected, for the corpus README. */
  injection: string;
  /** The innocent changes near the onset, for the corpus README ("none" when there are none). */
  innocent: string;
  truth: FaultTruth;
  commits: PlannedChange[];
  steps: FaultStep[];
  alert: ExpectedAlert;
  /** Start Prometheus and Alertmanager with the lab's rules (faults seen only in runtime metrics). */
  withPrometheus?: boolean;
  /** Seconds after the baseline at which payments' TLS certificate expires (default: valid for 60 days). */
  paymentsCertificateExpiresAtS?: number;
  /** Shoppers per second of the steady load (default 8). */
  rps?: number;
  /** The share of them browsing the catalogue rather than ordering (default 0.4). */
  browseShare?: number;
  /** How long after the last step the alert may take before the recording fails (default 360 s). */
  alertTimeoutS?: number;
}
