// Runs in the dashboard preview page before dist/dashboard.js (bundled by dashboardPreviewPage.ts): the stand-in for
// VS Code's acquireVsCodeApi and for the extension host. It answers `ready` with the first view it was given,
// `compare`/`clearCompare` with the view with or without its comparison, `evaluate` with a scoring run's progress
// and `cancel` with its end; it records every posted message, alert and CSP violation for the browser test.
// Written without DOM types (the scripts' tsconfig has none): the page globals it touches are declared below.
import type { DashboardToHost, DashboardView, HostToDashboard } from '../src/protocol/dashboardMessages.js';

/** What the test gives the page (as `window.__DASHBOARD_PREVIEW__`). */
export interface DashboardPreviewOptions {
  readonly view: DashboardView;
}

interface PreviewPage {
  __DASHBOARD_PREVIEW__?: DashboardPreviewOptions;
  __dashboardPosted: DashboardToHost[];
  __dashboardAlerts: string[];
  __dashboardCsp: string[];
  acquireVsCodeApi: () => { postMessage(m: DashboardToHost): void; getState(): unknown; setState(s: unknown): unknown };
  alert: (message: unknown) => void;
  postMessage(message: HostToDashboard, targetOrigin: string): void;
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string; sample: string }) => void): void;
}

const page = globalThis as unknown as PreviewPage;
const options = page.__DASHBOARD_PREVIEW__;
page.__dashboardPosted = [];
page.__dashboardAlerts = [];
page.__dashboardCsp = [];
// An executed payload would call alert, and a refused inline style or script fires this event: the test checks both.
page.alert = (message) => page.__dashboardAlerts.push(String(message));
page.addEventListener('securitypolicyviolation', (e) => page.__dashboardCsp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));

const send = (message: HostToDashboard): void => page.postMessage(message, '*');

function withoutCompare(view: DashboardView): DashboardView {
  const { compare: _dropped, ...rest } = view;
  return rest;
}

function handle(m: DashboardToHost): void {
  if (options === undefined) return;
  switch (m.type) {
    case 'ready':
      send({ type: 'view', view: options.view });
      return;
    case 'compare':
      send({ type: 'view', view: options.view });
      return;
    case 'clearCompare':
      send({ type: 'view', view: withoutCompare(options.view) });
      return;
    case 'evaluate': {
      const { records, scored } = options.view.coverage;
      send({ type: 'progress', done: 0, total: records - scored, perSecond: 0, etaSeconds: null });
      send({ type: 'progress', done: Math.floor((records - scored) / 3), total: records - scored, perSecond: 42.5, etaSeconds: 95 });
      return;
    }
    case 'cancel':
      send({ type: 'progressEnd', message: 'Scoring cancelled: the records scored so far are kept.' });
      return;
    case 'open':
      return;
  }
}

page.acquireVsCodeApi = () => {
  let state: unknown;
  return {
    postMessage(m) {
      page.__dashboardPosted.push(m);
      // VS Code delivers asynchronously; so does the fake.
      setTimeout(() => handle(m), 0);
    },
    getState: () => state,
    setState: (s) => (state = s),
  };
};
