// `reward-lens eval FILE --html PAGE` and `compare A B --html PAGE`, run as the built CLI (dist/cli.js with
// dist/htmlReport.js beside it, rebuilt when stale): one self-contained page per run, with an SVG for every plot that
// applies and the reason for every one that does not, hover titles carrying the JSON report's figures, nothing that
// loads or runs, and dataset text (ids, subset names, file names) as inert text.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createScorer } from '../../../src/cli/scorers.js';
import { parseBytes } from '../../../src/core/parseDocument.js';
import { evalReport } from '../../../src/core/report/evalReport.js';
import { dashboardData, type DashboardData } from '../../../src/core/report/plots/dashboardData.js';
import { DEFAULT_SCORING, scoreRecords } from '../../../src/core/scoring/scoreRecords.js';
import { runCliCaptured } from '../helpers.js';
import { ROOT } from '../../../scripts/webviewPreviewPage.js';
import { ensureCliBundles, hoverTitles, num, parsePage, pct, runBuiltCli, type Page, type PageElement } from './htmlReportKit.js';

type PlotKey = Exclude<keyof DashboardData, 'header'>;
const PLOTS: readonly PlotKey[] = ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'bestOfN', 'pairwise', 'rewardBench', 'rewardBench2', 'rmBench', 'margins', 'disagreements'];

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const HOSTILE = '<img src=x onerror=alert(1)>';

/** The eval report's JSON, as far as the hover checks read it. */
interface Report {
  records: number;
  metrics: {
    calibration?: { bins: { count: number; meanScore?: number; fracCorrect?: number }[] };
    pairwise?: { overall: { wins: number; losses: number; ties: number; accuracy: number }; bySubset: { subset: string; count: number; accuracy: number }[] };
    rewardbench?: { sections: { section: string; score: number }[] };
    rewardbench2?: { bySubset: { subset: string; count: number; score: number }[] };
    rm_bench?: { overall: { count: number; matrix: number[][] } };
  };
}

interface Fixture {
  readonly kind: string;
  readonly path: string;
  /** The plots that apply to this file under the built-in verifier (the queue is a table, not an SVG). */
  readonly applicable: readonly PlotKey[];
  /** Hover texts the page must have, built from `eval --json`'s figures. */
  readonly hovers: (report: Report, titles: (plot: PlotKey) => string[]) => void;
}

const FIXTURES: readonly Fixture[] = [
  {
    kind: 'ProcessBench-like traces',
    path: 'examples/processbench-style.json',
    applicable: ['stepScores', 'stepReliability', 'traceReliability', 'firstError', 'disagreements'],
    hovers: (report, titles) => {
      const bins = report.metrics.calibration?.bins.filter((b) => b.count > 0) ?? [];
      assert.equal(bins.length, 3, 'three traces in three calibration bins');
      for (const b of bins) {
        const want = `${b.count} trace\nmean score ${num(b.meanScore ?? NaN)}, observed correct ${pct(b.fracCorrect ?? NaN)}`;
        assert.ok(titles('traceReliability').some((t) => t.includes(want)), `a trace-calibration hover says "${want}"`);
      }
    },
  },
  {
    kind: 'chosen/rejected pairs',
    path: 'examples/preferences.jsonl',
    applicable: ['pairwise', 'margins', 'disagreements'],
    hovers: (report, titles) => {
      // The pairs name no subset: one bar, "all pairs", at the report's overall accuracy.
      const acc = report.metrics.pairwise?.overall;
      assert.ok(acc !== undefined);
      assert.ok(titles('pairwise').some((t) => t.startsWith('all pairs') && t.includes(`${(acc.accuracy * 100).toFixed(1)}%`)), JSON.stringify(titles('pairwise')));
      // Each margin bar's hover counts its sets; together they are the report's wins and losses (ties are not bars).
      const counted = (side: string): number =>
        titles('margins')
          .filter((t) => t.includes(side))
          .reduce((n, t) => n + Number(/: (\d+) sets?\n/u.exec(t)?.[1] ?? NaN), 0);
      const o = report.metrics.pairwise?.overall;
      assert.ok(o !== undefined);
      assert.equal(counted('\nagrees with the label'), o.wins);
      assert.equal(counted('\ndisagrees with the label'), o.losses);
    },
  },
  {
    kind: 'RewardBench sections',
    path: 'test/fixtures/preferences/rewardbench_edge.jsonl',
    applicable: ['pairwise', 'rewardBench', 'margins', 'disagreements'],
    hovers: (report, titles) => {
      const subsets = report.metrics.pairwise?.bySubset ?? [];
      assert.equal(subsets.length, 3);
      for (const s of subsets) {
        const want = `Pairwise accuracy: ${pct(s.accuracy)}, ${s.count} pair`;
        assert.ok(titles('pairwise').some((t) => t.startsWith(s.subset) && t.includes(want)), `${s.subset}: "${want}"`);
      }
      for (const s of report.metrics.rewardbench?.sections ?? []) assert.ok(titles('rewardBench').some((t) => t.startsWith(s.section) && t.includes(`Section score: ${pct(s.score)}`)), s.section);
    },
  },
  {
    kind: 'RewardBench 2 best-of-N',
    path: 'test/fixtures/preferences/rewardbench2_edge.jsonl',
    applicable: ['rewardBench2', 'margins', 'disagreements'],
    hovers: (report, titles) => {
      const subsets = report.metrics.rewardbench2?.bySubset ?? [];
      assert.deepEqual(
        subsets.map((s) => s.subset),
        ['Ties', 'Math', 'Focus'],
      );
      for (const s of subsets) assert.ok(titles('rewardBench2').includes(`${s.subset}\nSubset score: ${pct(s.score)}, ${s.count} set`), s.subset);
    },
  },
  {
    kind: 'RM-Bench',
    path: 'test/fixtures/preferences/rm_bench_edge.json',
    applicable: ['rmBench', 'margins', 'disagreements'],
    hovers: (report, titles) => {
      const o = report.metrics.rm_bench?.overall;
      assert.ok(o !== undefined);
      // The fixture's item scores its detailed chosen response above every rejected one, and the others below.
      assert.deepEqual(o.matrix, [
        [0, 0, 0],
        [1, 1, 1],
        [0, 0, 0],
      ]);
      const styles = ['concise', 'detailed', 'detailed markdown'];
      o.matrix.forEach((row, i) =>
        row.forEach((v, j) => {
          const want = `All items: chosen ${styles[i]} vs rejected ${styles[j]}\n${pct(v)} of ${o.count} item`;
          assert.ok(titles('rmBench').includes(want), `hover "${want}"`);
        }),
      );
    },
  },
];

/** The dashboard data the CLI computes for a file, computed here through the same core functions. */
async function expectedData(path: string): Promise<DashboardData> {
  const doc = parseBytes(readFileSync(path), basename(path));
  const scorer = await createScorer({ model: 'builtin' });
  try {
    const scored = await scoreRecords(doc.records, scorer, DEFAULT_SCORING);
    return dashboardData(evalReport(doc, scored, DEFAULT_SCORING, scorer.id), scored);
  } finally {
    await scorer.dispose();
  }
}

/** Colours VS Code defines in high-contrast themes only: read with a fallback, left undefined as VS Code leaves them. */
const HIGH_CONTRAST_ONLY = new Set(['vscode-contrastBorder', 'vscode-contrastActiveBorder']);

/**
 * `var(--vscode-…)` names the page reads (but the high-contrast-only ones, which must have a fallback), and those its
 * `:root` blocks define for light and for dark.
 */
function themeVariables(html: string): { used: Set<string>; light: Set<string>; dark: Set<string> } {
  const uses = [...html.matchAll(/var\(\s*--(vscode-[\w-]*\w)\s*([,)])/gu)].map((m) => ({ name: m[1] as string, fallback: m[2] === ',' }));
  for (const u of uses) if (HIGH_CONTRAST_ONLY.has(u.name)) assert.ok(u.fallback, `--${u.name} (high contrast only) is read with a fallback`);
  const used = new Set(uses.filter((u) => !HIGH_CONTRAST_ONLY.has(u.name)).map((u) => u.name));
  const defined = (block: string): Set<string> => new Set([...block.matchAll(/--(vscode-[\w-]+)\s*:/gu)].map((m) => m[1] as string));
  const light = /:root\s*\{([^}]*)\}/u.exec(html)?.[1] ?? '';
  const dark = /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}/u.exec(html)?.[1] ?? '';
  return { used, light: defined(light), dark: defined(dark) };
}

/** What every page must be: standalone, inert, themed. */
function assertSelfContained(html: string, page: Page): void {
  assert.match(html, /^<!DOCTYPE html>/iu);
  const metas = page.head.querySelectorAll('meta');
  assert.equal(metas[0]?.getAttribute('charset'), 'utf-8', 'meta charset comes first');
  assert.deepEqual(
    page.select('meta[http-equiv="Content-Security-Policy"]').map((m) => m.getAttribute('content')),
    [CSP],
  );
  assert.doesNotMatch(html, /<script/iu, 'no script');
  assert.doesNotMatch(html, /\b(?:src|href|xlink:href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][\w+.-]*:|\/\/)/iu, 'no URL attribute points anywhere');
  assert.doesNotMatch(html, /@import|url\(\s*["']?\s*(?:[a-z][\w+.-]*:|\/\/)/iu, 'no stylesheet import or url() to fetch');
  for (const el of page.all) {
    assert.ok(!['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form', 'audio', 'video', 'source'].includes(el.localName), `no <${el.localName}>`);
    for (const a of Array.from(el.attributes)) {
      assert.doesNotMatch(a.name, /^on/iu, `no ${a.name} handler on <${el.localName}>`);
      if (/^(?:src|href|xlink:href)$/iu.test(a.name)) assert.match(a.value, /^(?:#|data:)/u, `<${el.localName} ${a.name}> is local`);
    }
  }
  const { used, light, dark } = themeVariables(html);
  assert.ok(used.size > 5, `the page reads theme variables (${[...used].join(', ')})`);
  for (const v of used) {
    assert.ok(light.has(v), `--${v} is defined for the light theme`);
    assert.ok(dark.has(v), `--${v} is defined for the dark theme`);
  }
}

describe('reward-lens eval --html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-html-'));
  before(() => ensureCliBundles());

  for (const f of FIXTURES) {
    it(`${f.kind}: writes the dashboard, prints the usual report, draws what applies and says why the rest does not`, async () => {
      const input = join(ROOT, f.path);
      const out = join(dir, `${basename(f.path)}.html`);
      const data = readFileSync(input);
      const plain = runBuiltCli(['eval', input, '--json']);
      const r = runBuiltCli(['eval', input, '--json', '--html', out]);
      assert.equal(r.code, plain.code, r.err);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      assert.equal(r.out, plain.out, 'the report on stdout is the same with --html');
      assert.match(r.err, new RegExp(`wrote the dashboard to ${out.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}`, 'u'));
      const report = JSON.parse(r.out) as Report;
      const html = readFileSync(out, 'utf8');
      const page = parsePage(html);
      assertSelfContained(html, page);
      assert.equal(page.head.querySelector('title')?.textContent, `Reward Lens — ${basename(f.path)}`);

      const expected = await expectedData(input);
      const applicable = PLOTS.filter((k) => expected[k].kind !== 'notApplicable');
      assert.deepEqual(applicable, PLOTS.filter((k) => f.applicable.includes(k)), 'the plots that apply to this kind of file');
      const sectionOf = (k: PlotKey): PageElement => {
        const found = page.select(`section[data-plot="${k}"]`);
        assert.equal(found.length, 1, `one ${k} section`);
        return found[0] as PageElement;
      };
      for (const k of PLOTS) {
        const s = sectionOf(k);
        const data = expected[k];
        if (data.kind === 'notApplicable') {
          assert.ok(s.classList.contains('inapplicable'), `${k} is marked not applicable`);
          assert.equal(s.querySelectorAll('svg').length, 0, `${k} draws nothing`);
          assert.equal(s.querySelector('.not-applicable')?.textContent, `Not applicable. ${data.reason}`);
        } else if (k === 'disagreements') {
          assert.ok(s.querySelector('table') !== null || /disagree with the model/u.test(s.textContent ?? ''), 'the queue is a table, or says how many disagree');
        } else {
          assert.ok(s.querySelectorAll('svg').length >= 1, `${k} has its SVG`);
          assert.ok(s.querySelector('details table') !== null, `${k} has a table view`);
        }
      }
      f.hovers(report, (k) => hoverTitles(sectionOf(k)));
      assert.deepEqual(readFileSync(input), data, 'the data file is untouched');
    });
  }

  it('shows hostile dataset text (ids, subset names, the file name) as text, never as markup', () => {
    const hostileDir = join(dir, HOSTILE);
    mkdirSync(hostileDir, { recursive: true });
    const input = join(hostileDir, `${HOSTILE}.jsonl`);
    copyFileSync(join(ROOT, 'test/fixtures/hostile/hostile_bestofn.jsonl'), input);
    const out = join(dir, 'hostile.html');
    const r = runBuiltCli(['eval', input, '--html', out]);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(out, 'utf8');
    const page = parsePage(html);
    assertSelfContained(html, page);
    assert.ok(!html.includes(HOSTILE), 'the markup never appears raw');
    assert.ok(!html.includes('</script><script>'));
    assert.equal(page.head.querySelector('title')?.textContent, `Reward Lens — ${HOSTILE}.jsonl`, 'the page title, escaped');
    assert.ok((page.body.querySelector('h1')?.textContent ?? '').includes(`${HOSTILE}.jsonl`), 'the heading shows the file name as text');
    const ids = page.select('section[data-plot="disagreements"] bdi').map((b) => b.textContent);
    assert.ok(ids.includes(`bon-${HOSTILE}`), `the queue lists the id as text (${ids.join(', ')})`);
    const subsets = hoverTitles(page.select('section[data-plot="rewardBench2"]')[0] as PageElement);
    assert.ok(subsets.some((t) => t.startsWith(`Math ${HOSTILE}\nSubset score: `)), 'the subset name is hover text');
  });
});

describe('reward-lens compare --html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-html-compare-'));
  before(() => ensureCliBundles());

  const trace = (id: string, steps: string[], label: number): string => JSON.stringify({ id, problem: `Problem ${id}`, steps, final_answer_correct: label === -1, label });
  const shared = [
    trace('gsm8k-0', ['2 + 3 = 5.', '5 × 2 = 10.'], -1),
    trace('gsm8k-1', ['First we think.', '7 × 6 = 42.'], -1),
    trace('gsm8k-2', ['4 + 4 = 9.', '9 × 2 = 18.'], 0),
    trace(HOSTILE, ['3 + 3 = 6.', 'Then we think.', '6 × 5 = 31.'], 2),
  ];

  it('compares runs over different record sets on the intersection, says what was left out, and draws the scatter', () => {
    // Same file name in both runs, so records pair by file and id: A has one record B lacks, B two that A lacks.
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'pb.jsonl'), [...shared, trace('only-a', ['1 + 1 = 2.'], -1)].join('\n'));
    writeFileSync(join(dir, 'b', 'pb.jsonl'), [...shared, trace('only-b-1', ['1 + 1 = 3.'], 0), trace('only-b-2', ['Let us begin.'], -1)].join('\n'));
    const a = join(dir, 'a.out.jsonl');
    const b = join(dir, 'b.out.jsonl');
    // Scored from inside each folder, so both out files name the data file `pb.jsonl`.
    for (const [run, out, flags] of [['a', a, []], ['b', b, ['--aggregation', 'mean', '--threshold', '0.95']]] as const) {
      const s = runBuiltCli(['score', 'pb.jsonl', '--out', out, ...flags], join(dir, run));
      assert.equal(s.code, 0, s.err);
    }
    const json = runBuiltCli(['compare', a, b, '--json']);
    const report = JSON.parse(json.out) as { records: number; left_out: Record<string, number>; spearman: number; disagreements: { id: string }[] };
    assert.equal(report.records, 4);
    assert.deepEqual(report.left_out, { only_in_a: 1, only_in_b: 2, unscored_a: 0, unscored_b: 0, different_kind: 0, duplicate: 0 });

    const out = join(dir, 'compare.html');
    const plain = runBuiltCli(['compare', a, b]);
    const r = runBuiltCli(['compare', a, b, '--html', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, plain.out, 'the comparison on stdout is the same with --html');
    const html = readFileSync(out, 'utf8');
    const page = parsePage(html);
    assertSelfContained(html, page);
    assert.ok(!html.includes(HOSTILE), 'the hostile id never appears raw');
    const section = page.select('section[data-plot="compare"]')[0];
    assert.ok(section !== undefined, 'a comparison section');
    const stats = new Map(
      Array.from(section.querySelectorAll('.stat')).map((s) => [s.querySelector('dt')?.textContent ?? '', s.querySelector('dd')?.textContent ?? ''] as const),
    );
    assert.equal(stats.get('Records compared'), '4');
    assert.equal(stats.get('Only in A'), '1');
    assert.equal(stats.get('Only in B'), '2');
    assert.equal(stats.get('Spearman'), num(report.spearman));
    assert.match(section.textContent ?? '', /Left out \(3\)/u);
    const scatter = section.querySelectorAll('.scatter-panel svg');
    assert.equal(scatter.length, 1, 'one scatter panel: trace scores');
    const cellCounts = hoverTitles(section).reduce((n, t) => n + Number(/\n(\d+) records?$/u.exec(t)?.[1] ?? 0), 0);
    assert.equal(cellCounts, report.records, 'the scatter cells hold every compared record');
    const ids = Array.from(section.querySelectorAll('bdi')).map((x) => x.textContent);
    assert.ok(ids.includes(HOSTILE), 'the hostile id is listed as text among the disagreements');
  });
});

describe('--html usage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-html-usage-'));
  const data = join(dir, 'data.jsonl');
  writeFileSync(data, readFileSync(join(ROOT, 'examples/preferences.jsonl')));
  before(() => ensureCliBundles());

  it('a missing or empty value, or the data file itself, is a usage error (exit 2) and writes nothing', () => {
    const before = readFileSync(data, 'utf8');
    const missing = runBuiltCli(['eval', data, '--html']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--html <value>' argument missing/u);
    const ambiguous = runBuiltCli(['eval', data, '--html', '--json']);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.err, /--html/u);
    const empty = runBuiltCli(['eval', data, '--html=']);
    assert.equal(empty.code, 2);
    assert.match(empty.err, /--html needs the name of the page to write/u);
    const compare = runBuiltCli(['compare', data, data, '--html']);
    assert.equal(compare.code, 2);
    const overData = runBuiltCli(['eval', data, '--html', data]);
    assert.equal(overData.code, 2);
    assert.match(overData.err, /never writes over your data/u);
    assert.equal(overData.out, '', 'refused before any work');
    assert.equal(readFileSync(data, 'utf8'), before, 'the data file is untouched');
    assert.match(runBuiltCli(['--help']).out, /--html REPORT\.html/u);
  });

  it('from source, without the bundle beside the CLI: a clear error naming it, and no page', async () => {
    const out = join(dir, 'never.html');
    const r = await runCliCaptured(['eval', data, '--html', out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--html needs the report renderer .*htmlReport\.js, which is missing \(run "npm run build"/u);
    assert.equal(existsSync(out), false);
  });
});
