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
  // What the state holds, readable by tests and by a person in the webview's devtools.
  document.body.dataset.keptScroll = String(ui.scrollY ?? 0);
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
let userScrolled = false;
/** A kept position is being restored: the scrolls on the way there are not the user's. */
let restoring = false;
/** Renders in progress: the page is rebuilt and its height changes, so the browser clamps the scroll. */
let settling = 0;
let lastKey = 0;
const hiddenNow = () => document.hidden || window.innerHeight < 50 || window.innerWidth < 50;

/** The page is about to be rebuilt: scrolls until it has been laid out (two frames) are not the user's. */
export function holdScroll(): void {
  settling++;
  requestAnimationFrame(() => requestAnimationFrame(() => settling--));
}

/**
 * A jump from far down straight to the top with no key pressed is what a webview does as it is hidden
 * or its page collapses; the user gets there with Home or a key, or through the positions between.
 */
function jumpedToTop(y: number): boolean {
  const kept = ui.scrollY ?? 0;
  return y === 0 && kept > window.innerHeight && performance.now() - lastKey > 1000;
}

/**
 * Goes back to a kept scroll position. A webview that was just rebuilt may not be laid out yet, so it
 * tries again each frame (and on resize) for a moment, and stops as soon as the user scrolls themselves.
 */
export function restoreScroll(target: number): void {
  if (target <= 0) return;
  userScrolled = false;
  document.body.dataset.scrollTarget = String(target);
  const deadline = performance.now() + 10_000;
  restoring = true;
  // Once there (or given up), it never scrolls again: later resizes and scrolls are the user's.
  const attempt = () => {
    if (!restoring) return false;
    if (userScrolled || performance.now() > deadline) return (restoring = false);
    if (Math.abs(window.scrollY - target) > 2) window.scrollTo(0, target);
    restoring = Math.abs(window.scrollY - target) > 2;
    return restoring;
  };
  const step = () => {
    if (attempt()) requestAnimationFrame(step);
  };
  const onResize = () => {
    if (!attempt()) window.removeEventListener('resize', onResize);
  };
  window.addEventListener('resize', onResize);
  step();
}

/**
 * Keeps the scroll position in the state, at most a few times a second. A hidden webview (its tab in
 * the background) collapses to nothing and scrolls to the top by itself: that is not kept. Any scroll
 * of the visible page is the user's, or one made on their behalf (an evidence link).
 */
export function trackScroll(): void {
  const stopRestoring = () => {
    userScrolled = true;
  };
  // The user's own gesture ends a restore in progress (restoreScroll).
  for (const type of ['wheel', 'touchstart', 'keydown'] as const) window.addEventListener(type, stopRestoring, { passive: true, capture: true });
  window.addEventListener('keydown', () => (lastKey = performance.now()), { passive: true, capture: true });
  const ignored = () => hiddenNow() || settling > 0 || (restoring && !userScrolled);
  window.addEventListener(
    'scroll',
    () => {
      if (scrollTimer !== undefined || ignored()) return;
      scrollTimer = window.setTimeout(() => {
        scrollTimer = undefined;
        const y = Math.round(window.scrollY);
        if (!ignored() && !jumpedToTop(y)) saveUi({ scrollY: y });
      }, 150);
    },
    { passive: true },
  );
}
