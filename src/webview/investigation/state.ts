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
/** Until when a scroll is the user's (an input just happened, or the panel itself scrolled to a target). */
let intentUntil = 0;
const hiddenNow = () => document.hidden || window.innerHeight < 50 || window.innerWidth < 50;

/** The panel scrolls on the user's behalf (an evidence link): keep where it lands. */
export function markScrollIntent(): void {
  intentUntil = performance.now() + 1500;
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
  const attempt = () => {
    if (userScrolled || performance.now() > deadline) return false;
    if (Math.abs(window.scrollY - target) > 2) window.scrollTo(0, target);
    return Math.abs(window.scrollY - target) > 2;
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
 * Keeps the scroll position in the state, at most a few times a second, and only scrolls the user
 * made (wheel, keys, the scrollbar, touch, or an evidence link): a webview being hidden or redrawn
 * jumps to the top by itself, and that must not overwrite where the user was.
 */
export function trackScroll(): void {
  const intent = () => {
    userScrolled = true;
    intentUntil = performance.now() + 1500;
  };
  // Gestures that scroll: the wheel, touch, the navigation keys, a press on the scrollbar. A click on
  // a button is none of them (and the Export button hides the panel a moment later).
  const scrollKeys = new Set(['PageUp', 'PageDown', 'Home', 'End', 'ArrowUp', 'ArrowDown', ' ']);
  window.addEventListener('wheel', intent, { passive: true, capture: true });
  window.addEventListener('touchstart', intent, { passive: true, capture: true });
  window.addEventListener('keydown', (e) => scrollKeys.has(e.key) && intent(), { passive: true, capture: true });
  window.addEventListener('mousedown', (e) => (e.target === document.documentElement || e.target === document.body) && intent(), { passive: true, capture: true });
  window.addEventListener(
    'scroll',
    () => {
      if (scrollTimer !== undefined || hiddenNow() || performance.now() > intentUntil) return;
      scrollTimer = window.setTimeout(() => {
        scrollTimer = undefined;
        if (!hiddenNow()) saveUi({ scrollY: Math.round(window.scrollY) });
      }, 150);
    },
    { passive: true },
  );
}
