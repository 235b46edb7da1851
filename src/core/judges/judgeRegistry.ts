/**
 * The generative judges Reward Lens knows, by the name the CLI's `--judge NAME` and the `rewardLens.judge`
 * setting use.
 */

/**
 * What a judge scores: `steps` writes a verdict per step; `single` rates one response; `pair` compares a
 * response with the other responses of its preference set; `single-or-pair` does either (pairs when the
 * request has siblings).
 */
export type JudgeKind = 'steps' | 'single' | 'pair' | 'single-or-pair';

/** One judge of the registry. */
export interface JudgeInfo {
  readonly name: string;
  readonly kind: JudgeKind;
  /** One line for menus and `--help`. */
  readonly description: string;
  /** Hugging Face model ids the judge's prompt was made for; empty when any instruction model fits. */
  readonly models: readonly string[];
}

/** Every judge, in menu order. */
export const JUDGES: readonly JudgeInfo[] = [
  {
    name: 'thinkprm',
    kind: 'steps',
    description: 'ThinkPRM: a verification chain of thought with \\boxed{correct|incorrect} per step and "Is the solution correct? Yes|No"',
    models: ['launch/ThinkPRM-1.5B', 'launch/ThinkPRM-7B', 'launch/ThinkPRM-14B'],
  },
  {
    name: 'processbench-critic',
    kind: 'steps',
    description: "ProcessBench's critic prompt: the index of the earliest wrong paragraph in \\boxed{}, or -1",
    models: [],
  },
  {
    name: 'pairwise',
    kind: 'pair',
    description: "Skywork-Critic's pairwise prompt, verdict [[A]] or [[B]], run in both orders",
    models: ['Skywork/Skywork-Critic-Llama-3.1-8B', 'Skywork/Skywork-Critic-Llama-3.1-70B'],
  },
  {
    name: 'arena-hard',
    kind: 'pair',
    description: "Arena-Hard's judge prompt, five-way verdict [[A>>B]] … [[B>>A]], run in both orders",
    models: [],
  },
  {
    name: 'rm-r1',
    kind: 'pair',
    description: "RM-R1's rubric-and-evaluation prompt, verdict <answer>[[A]]</answer> or <answer>[[B]]</answer>, run in both orders",
    models: ['gaotang/RM-R1-Qwen2.5-Instruct-14B', 'gaotang/RM-R1-Qwen2.5-Instruct-32B'],
  },
  {
    name: 'prometheus',
    kind: 'single-or-pair',
    description: 'Prometheus 2: absolute grade [RESULT] 1–5 against a score rubric for one response; relative [RESULT] A|B for pairs, run in both orders',
    models: ['prometheus-eval/prometheus-7b-v2.0', 'prometheus-eval/prometheus-8x7b-v2.0'],
  },
  {
    name: 'rubric',
    kind: 'single',
    description: 'Your binary principles (a rubric file), each answered yes/no with a reason; the score is the weighted share met',
    models: [],
  },
];

/** The judge of that name, or undefined. */
export function findJudge(name: string): JudgeInfo | undefined {
  return JUDGES.find((j) => j.name === name);
}
