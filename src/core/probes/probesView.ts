/**
 * The probes' sensitivity table as the dashboard draws it (`reward-lens probe --html`): one row per probe run, a
 * fixed size whatever the number of traces.
 */
import type { ProbesView } from '../../protocol/dashboardMessages.js';
import { PROBE_NAMES, PROBE_RULES } from './perturbations.js';
import type { ProbeReport } from './runProbes.js';

/** The rows of `report.summary`, in the probes' order, with each probe's rule. */
export function probesView(model: string, report: ProbeReport): ProbesView {
  const rows = PROBE_NAMES.flatMap((probe) => {
    const s = report.summary[probe];
    return s === undefined ? [] : [{ probe, ...PROBE_RULES[probe], traces: s.traces, okFraction: s.ok_fraction, meanDelta: s.mean_delta }];
  });
  return { model, rows };
}
