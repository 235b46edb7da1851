// Webview bootstrap: connect to the host, say `ready`, and route host messages to the view the snapshot asks for.
// The same bundle serves the Trace Tree and the Judgment Diff; the first `init` decides which one is built.
import { PROTOCOL_VERSION, type ToWebview, type ViewData } from '../src/protocol/messages.js';
import { createDiffView, type DiffViewHandle } from './diff/renderDiff.js';
import { connectHost, type HostApi } from './host.js';
import { createTreeView, type TreeViewHandle } from './tree/renderTree.js';
import { el } from './ui.js';

type Live = { readonly kind: 'traceTree'; readonly handle: TreeViewHandle } | { readonly kind: 'judgmentDiff'; readonly handle: DiffViewHandle };

function start(host: HostApi, app: HTMLElement): void {
  let live: Live | undefined;

  const show = (view: ViewData): void => {
    if (view.kind === 'traceTree') {
      if (live?.kind !== 'traceTree') live = { kind: 'traceTree', handle: createTreeView(app, host) };
      live.handle.update(view);
    } else {
      if (live?.kind !== 'judgmentDiff') live = { kind: 'judgmentDiff', handle: createDiffView(app, host) };
      live.handle.update(view);
    }
    app.setAttribute('aria-busy', 'false');
  };

  host.onMessage((msg: ToWebview) => {
    switch (msg.type) {
      case 'init':
      case 'update':
        show(msg.view);
        break;
      case 'scoring':
        live?.handle.setScoring(msg.state, msg.message);
        break;
      case 'unavailable':
        live = undefined;
        app.replaceChildren(el(app.ownerDocument, 'p', 'unavailable', msg.message));
        break;
      default:
        assertNever(msg);
    }
  });
  host.post({ type: 'ready', version: PROTOCOL_VERSION });
}

function assertNever(x: never): never {
  throw new Error(`Unhandled message ${JSON.stringify(x)}`);
}

const app = document.getElementById('app');
if (app) start(connectHost(), app);
