// Dataset Explorer bootstrap: connect to the host, say `ready`, send the (restored) query, and route host messages to
// the header and the table. Owns the query ids: a `view` or `rows` answer for any query but the latest is dropped.
import { EXPLORER_PROTOCOL_VERSION, type ExplorerColumn, type ExplorerFilter, type ExplorerQuery, type ToExplorer } from '../../src/protocol/explorerMessages.js';
import { displayText, el } from '../ui.js';
import { connectExplorerHost, type ExplorerHostApi } from './explorerHost.js';
import { COLUMNS, nextSort } from './layoutTable.js';
import { createControls } from './renderControls.js';
import { createTable } from './renderTable.js';

/** Quiet time after the last keystroke before a typed filter is sent. */
const TYPING_DEBOUNCE_MS = 200;

const DEFAULT_QUERY: ExplorerQuery = { sort: { column: 'position', descending: false }, filter: {} };

function start(host: ExplorerHostApi, app: HTMLElement): void {
  const doc = app.ownerDocument;
  // State saved by another build may name a column this one does not have.
  const saved = host.getState().query;
  let query = saved !== undefined && COLUMNS.some((c) => c.column === saved.sort.column) ? saved : DEFAULT_QUERY;
  /** The latest query sent, and the one whose view the table shows (-1: none yet). */
  let queryId = 0;
  let shownQueryId = -1;
  let requestId = 0;
  /** Outstanding row requests: id → the table generation they were asked in. */
  const requests = new Map<number, number>();
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const sendQuery = (): void => {
    clearTimeout(typingTimer);
    queryId++;
    host.setState({ query });
    host.post({ type: 'query', queryId, query });
  };

  const table = createTable(doc, {
    requestRows(start, end, generation) {
      requestId++;
      requests.set(requestId, generation);
      host.post({ type: 'rows', requestId, start, end });
    },
    open: (position) => host.post({ type: 'open', position }),
    sort(column: ExplorerColumn) {
      query = { ...query, sort: nextSort(query.sort, column) };
      table.setSort(query.sort);
      sendQuery();
    },
  });
  const controls = createControls(doc, query.filter, {
    filter(filter: ExplorerFilter, typing: boolean) {
      query = { ...query, filter };
      clearTimeout(typingTimer);
      if (typing) typingTimer = setTimeout(sendQuery, TYPING_DEBOUNCE_MS);
      else sendQuery();
    },
    scoreAll: () => host.post({ type: 'score' }),
    cancelScoring: () => host.post({ type: 'cancelScoring' }),
  });
  table.setSort(query.sort);
  const failure = el(doc, 'p', 'unavailable');
  failure.setAttribute('role', 'alert');
  failure.hidden = true;
  const root = el(doc, 'div', 'explorer-view');
  root.append(controls.element, table.element, failure);
  app.replaceChildren(root);

  const showFailure = (message: string): void => {
    failure.textContent = displayText(message, 2000);
    failure.hidden = message === '';
    table.element.hidden = message !== '';
  };

  host.onMessage((msg: ToExplorer) => {
    switch (msg.type) {
      case 'status':
        controls.setStatus(msg.status);
        table.setThreshold(msg.status.threshold);
        break;
      case 'view':
        if (msg.queryId !== queryId) break;
        showFailure('');
        if (shownQueryId !== msg.queryId) {
          shownQueryId = msg.queryId;
          requests.clear();
          table.reset(msg.total);
        } else {
          table.refresh(msg.total);
        }
        table.setMessage(msg.total > 0 || msg.searching ? '' : Object.keys(query.filter).length > 0 ? 'No rows match this filter.' : 'No rows yet.');
        controls.setView(msg.total, msg.searching);
        break;
      case 'rows': {
        const generation = requests.get(msg.requestId);
        requests.delete(msg.requestId);
        if (generation === undefined || msg.queryId !== shownQueryId) break;
        table.putRows(msg.start, msg.rows, generation);
        break;
      }
      case 'scoring':
        controls.setScoring(msg);
        break;
      case 'error':
        showFailure(msg.message);
        break;
      default:
        assertNever(msg);
    }
    app.setAttribute('aria-busy', 'false');
  });
  host.post({ type: 'ready', version: EXPLORER_PROTOCOL_VERSION });
  sendQuery();
}

function assertNever(x: never): never {
  throw new Error(`Unhandled message ${JSON.stringify(x)}`);
}

const app = document.getElementById('app');
if (app) start(connectExplorerHost(), app);
