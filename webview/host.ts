// The webview's only door to the extension host. Nothing else calls acquireVsCodeApi (it may be called once per page).
// Tests and the preview script swap the host by defining `acquireVsCodeApi` before the bundle loads, and deliver
// host messages with `window.postMessage`, exactly the path VS Code uses.
import { isToWebview } from '../src/protocol/guards.js';
import type { FromWebview, ToWebview } from '../src/protocol/messages.js';

/** UI and navigation state only; model data is always re-sent by the host after `ready`. */
export interface ViewState {
  readonly tree?: {
    readonly selected?: string;
    readonly collapsed?: readonly string[];
    readonly transform?: { readonly x: number; readonly y: number; readonly k: number };
  };
  readonly diff?: { readonly left?: number; readonly right?: number };
}

/** What the views need from the host. */
export interface HostApi {
  post(message: FromWebview): void;
  getState(): ViewState;
  /** Merges a partial UI state into the persisted one. */
  patchState(patch: ViewState): void;
  /** Calls `handler` for every well-formed host message; returns an unsubscribe function. */
  onMessage(handler: (message: ToWebview) => void): () => void;
}

/** Connects to the host of this page (VS Code, or whatever defined `acquireVsCodeApi` first). */
export function connectHost(win: Window = window): HostApi {
  const api = acquireVsCodeApi<ViewState>();
  let state: ViewState = api.getState() ?? {};
  return {
    post: (message) => api.postMessage(message),
    getState: () => state,
    patchState(patch) {
      state = { ...state, ...patch };
      api.setState(state);
    },
    onMessage(handler) {
      const listener = (event: MessageEvent<unknown>): void => {
        // Stray or malformed messages (extensions injecting into the frame, a skewed bundle) are ignored.
        if (isToWebview(event.data)) handler(event.data);
      };
      win.addEventListener('message', listener);
      return () => win.removeEventListener('message', listener);
    },
  };
}

/**
 * The page's VS Code API, for a page whose host speaks another protocol (the Dataset Explorer's bundle, with its own
 * messages and guard in webview/explorer/explorerHost.ts). A page calls this or `connectHost`, once: VS Code throws
 * on a second acquireVsCodeApi call.
 */
export function acquireWebviewApi<State>(): ReturnType<typeof acquireVsCodeApi<State>> {
  return acquireVsCodeApi<State>();
}
