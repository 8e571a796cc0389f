// Typed messages between the extension host and a webview (GitLens' idea, our own small code):
// each panel declares its messages once and both sides use the same descriptors.

export interface CommandType<P> {
  readonly kind: 'command';
  readonly method: string;
  /** Phantom field carrying the parameter type; never set. */
  readonly _params?: P;
}
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _params?: P;
}
export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly _params?: P;
  readonly _result?: R;
}

/** Webview -> host, fire and forget. */
export function defineCommand<P>(scope: string, name: string): CommandType<P> {
  return { kind: 'command', method: `${scope}/${name}` };
}
/** Host -> webview, fire and forget. */
export function defineNotification<P>(scope: string, name: string): NotificationType<P> {
  return { kind: 'notification', method: `${scope}/${name}` };
}
/** Webview -> host with a reply. */
export function defineRequest<P, R>(scope: string, name: string): RequestType<P, R> {
  return { kind: 'request', method: `${scope}/${name}` };
}

export interface IpcMessage {
  method: string;
  params?: unknown;
  /** Set on requests and their replies. */
  id?: number;
  /** Set on replies. */
  result?: unknown;
  error?: string;
}

export function isIpcMessage(m: unknown): m is IpcMessage {
  return typeof m === 'object' && m !== null && typeof (m as IpcMessage).method === 'string';
}

export function is<P>(type: CommandType<P> | NotificationType<P>, m: IpcMessage): m is IpcMessage & { params: P } {
  return m.method === type.method;
}
