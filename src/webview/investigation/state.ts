// The panel's UI state: which sections are collapsed, which details are open, the scroll position,
// the log level, the trace shown and the chart zoom. It lives in VS Code's getState/setState, so it
// survives tab switches (the webview is rebuilt when its tab comes back) and reloads; data never does:
// the host sends it again after the `ready` handshake.
import type { IpcMessage } from '../../protocol/ipc';
import type { PanelUiState } from '../../protocol/investigation';

interface VsCodeApi {
  postMessage(m: IpcMessage): void;
  getState(): PanelUiState | undefined;
  setState(s: PanelUiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi = acquireVsCodeApi();
const initial = JSON.parse(document.body.dataset.initialState ?? '{}') as PanelUiState;
// A panel restored for another alert (the host reuses nothing, but be safe) starts from its own state.
const saved = vscodeApi.getState();
let ui: PanelUiState = saved && saved.alertId === initial.alertId && saved.sourceName === initial.sourceName ? { ...initial, ...saved } : { ...initial };

export function uiState(): PanelUiState {
  return ui;
}

export function saveUi(patch: Partial<PanelUiState>): void {
  ui = { ...ui, ...patch };
  vscodeApi.setState(ui);
}

export function isCollapsed(section: string): boolean {
  return (ui.collapsed ?? []).includes(section);
}

export function setCollapsed(section: string, collapsed: boolean): void {
  const rest = (ui.collapsed ?? []).filter((s) => s !== section);
  saveUi({ collapsed: collapsed ? [...rest, section] : rest });
}

/** A <details> whose open state is kept under `key`. */
export function keptOpen(details: HTMLDetailsElement, key: string, defaultOpen = false): HTMLDetailsElement {
  const opened = ui.opened ?? [];
  const closed = ui.closedDetails ?? [];
  details.open = opened.includes(key) || (defaultOpen && !closed.includes(key));
  details.dataset.uiKey = key;
  details.addEventListener('toggle', () => {
    const o = (ui.opened ?? []).filter((k) => k !== key);
    const c = (ui.closedDetails ?? []).filter((k) => k !== key);
    saveUi(details.open ? { opened: [...o, key], closedDetails: c } : { opened: o, closedDetails: [...c, key] });
  });
  return details;
}

let scrollTimer: number | undefined;
/** Keeps the scroll position in the state, at most a few times a second. */
export function trackScroll(): void {
  window.addEventListener(
    'scroll',
    () => {
      // A hidden webview (its tab in the background) collapses to nothing and scrolls to the top: not the user's doing.
      if (scrollTimer !== undefined || document.hidden || window.innerHeight < 50) return;
      scrollTimer = window.setTimeout(() => {
        scrollTimer = undefined;
        if (!document.hidden && window.innerHeight >= 50) saveUi({ scrollY: Math.round(window.scrollY) });
      }, 150);
    },
    { passive: true },
  );
}
