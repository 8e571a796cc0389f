// The agent's tools: typed, read-only questions over the sources' roles and one investigation. One
// registry (./registry.ts) serves the LLM loop, VS Code's language-model tools and the MCP server.
// No tool executes anything: propose_remediation returns a plan proposal that the caller hands to the
// policy, the approval prompt and the ledger, as a click would.
import type { Investigation } from '../../core/investigation';
import type { ProposedAction } from '../../core/model';
import type { AlertSource, ChangeSource, LogSource, MetricSource, TimeWindow, TraceSource } from '../../core/sources';
import type { ObjectSchema } from './schema';

/** Workspace files, read only where the user trusts the workspace and never outside it. */
export interface WorkspaceFiles {
  readonly trusted: boolean;
  /** Reads a workspace-relative file; refuses paths outside the workspace (symlinks followed) with a clear error. */
  read(relPath: string, signal?: AbortSignal): Promise<string>;
}

export interface ToolRoles {
  alerts: AlertSource[];
  metrics: MetricSource[];
  logs: LogSource[];
  traces: TraceSource[];
  changes?: ChangeSource;
  /** A commit's patch: git in the workspace, or a bundle's recorded hunks. */
  diff?(sha: string, path: string | undefined, signal?: AbortSignal): Promise<string>;
  workspace?: WorkspaceFiles;
}

/** What a proposal became: the caller's approval flow decides; the tool only reports. */
export interface ProposalOutcome {
  status: 'awaiting-approval' | 'rejected' | 'recorded';
  message: string;
}

export interface ToolContext {
  roles: ToolRoles;
  /** The investigation of an alert (the current one when no id is given); may run it on first use. */
  investigation(alertId?: string, signal?: AbortSignal): Promise<Investigation | undefined>;
  /** Action ids the catalog knows (built-in and the workspace's runbooks): the only ids a proposal may name. */
  actionIds(): string[];
  /** Hands a proposal to the approval flow (policy, prompt, ledger). Without it, the proposal is only recorded. */
  propose?(proposal: ProposedAction & { alertId?: string }): Promise<ProposalOutcome>;
  /** The window tools read when the model gives none. */
  defaultWindow(): TimeWindow;
  now(): number;
}

export interface ToolOutput {
  /** JSON-safe data; it is bounded and redacted before it leaves the tool layer. */
  data: unknown;
  /** How to narrow the query, said when the result has to be cut. */
  narrowHint?: string;
}

export interface AgentTool {
  /** {verb}_{noun}: the name the model, VS Code and MCP call it by. */
  readonly name: string;
  /** A short title for people (the panel's trail, VS Code's tool list). */
  readonly title: string;
  /** What the tool does and when to use it, for the model. */
  readonly description: string;
  readonly inputSchema: ObjectSchema;
  run(args: Record<string, unknown>, ctx: ToolContext, signal?: AbortSignal): Promise<ToolOutput>;
}

/** A tool's failure that the model can act on (a bad query, a missing item): sent back as the result. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}
