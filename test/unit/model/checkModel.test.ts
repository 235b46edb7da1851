// `reward-lens models check`: every error names the file, the field and the fix. Broken folders are
// clones of the generated test folders (hard links; changed files are replaced, never edited in place).
import assert from 'node:assert/strict';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GraphBuilder } from '../../../scripts/tinyOnnx.js';
import { checkModelFolder, inspectModelFolder, type Finding } from '../../../src/model/checkModel.js';
import { testModel } from './modelTestKit.js';

const root = mkdtempSync(join(tmpdir(), 'reward-lens-check-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A clone of a test folder whose files are hard links (copies where links fail). */
function clone(name: string): string {
  const src = testModel(name).dir;
  const dst = join(root, `${name}-${++n}`);
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(from, e.name), join(to, e.name));
      else {
        try {
          linkSync(join(from, e.name), join(to, e.name));
        } catch {
          copyFileSync(join(from, e.name), join(to, e.name));
        }
      }
    }
  };
  walk(src, dst);
  return dst;
}

/** Replaces a file (unlinks first, so the hard-linked original is untouched). */
function replace(path: string, content: string | Uint8Array): void {
  rmSync(path, { force: true });
  writeFileSync(path, content);
}

function errors(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.level === 'error');
}

/** Asserts one error matches file, field and message; and that it carries a fix. */
function expectError(findings: readonly Finding[], file: string, field: string | undefined, message: RegExp): Finding {
  const hit = errors(findings).find((f) => f.file === file && f.field === field && message.test(f.message));
  assert.ok(hit, `no error ${file} (${field ?? '-'}) ~ ${message}; got ${JSON.stringify(errors(findings), null, 1)}`);
  assert.ok(hit.fix !== undefined && hit.fix.length > 10, `error has a fix: ${JSON.stringify(hit)}`);
  return hit;
}

/** A tiny graph with arbitrary input/output names and types (Identity through a Cast). */
function oddGraph(inputs: readonly [string, 'int64' | 'float'][], output: string, outDims: readonly (string | number)[]): Uint8Array {
  const g = new GraphBuilder('fp32');
  const [first] = inputs.map(([name, type]) => g.input(name, type, ['batch_size', 'sequence_length']));
  const asFloat = g.op('Cast', [first ?? ''], { to: 1 });
  g.op('Identity', [asFloat], {}, output);
  g.output(output, outDims);
  return g.build().model;
}

describe('models check: good folders', () => {
  it('passes a plain export folder with a preset chosen, and reports the contract', async () => {
    const r = await checkModelFolder(testModel('math-shepherd').dir, 'math-shepherd');
    assert.equal(r.ok, true);
    assert.equal(r.contract, 'math-shepherd');
    assert.deepEqual(errors(r.findings), []);
    assert.ok(r.findings.some((f) => f.level === 'info' && /position_ids/u.test(f.message)));
  });

  it('takes the preset from reward-lens.json, or from config.json architectures', async () => {
    const trl = await checkModelFolder(testModel('trl-prm').dir);
    assert.equal(trl.ok, true);
    assert.equal(trl.contract, 'trl-prm');
    const qwen = await checkModelFolder(testModel('qwen-prm').dir);
    assert.equal(qwen.contract, 'qwen2.5-math-prm');
    assert.ok(qwen.findings.some((f) => f.level === 'info' && f.field === 'architectures'));
  });

  it('recognises int4 and fp16 exports and external data', async () => {
    const int4 = await checkModelFolder(testModel('qwen-prm-int4').dir);
    assert.ok(int4.findings.some((f) => /int4/u.test(f.message)), 'int4 noted');
    const fp16 = await checkModelFolder(testModel('qwen-prm-fp16').dir);
    assert.ok(fp16.findings.some((f) => /fp16/u.test(f.message)), 'fp16 noted');
    const past = await checkModelFolder(testModel('math-shepherd-past').dir, 'math-shepherd');
    assert.equal(past.ok, true);
    assert.ok(past.findings.some((f) => /external data/u.test(f.message)));
  });
});

describe('models check: every error names file, field and fix', () => {
  it('a missing folder', async () => {
    const r = await checkModelFolder(join(root, 'nope'));
    assert.equal(r.ok, false);
    expectError(r.findings, join(root, 'nope'), undefined, /not found/u);
  });

  it('missing or corrupt config.json', async () => {
    const a = clone('qwen-prm');
    rmSync(join(a, 'config.json'));
    expectError((await checkModelFolder(a, 'qwen2.5-math-prm')).findings, 'config.json', undefined, /missing/u);
    const b = clone('qwen-prm');
    replace(join(b, 'config.json'), '{"architectures": [');
    expectError((await checkModelFolder(b, 'qwen2.5-math-prm')).findings, 'config.json', undefined, /not valid JSON/u);
  });

  it('missing, corrupt or LFS-pointer tokenizer.json; missing tokenizer_config.json is a warning', async () => {
    const a = clone('qwen-prm');
    rmSync(join(a, 'tokenizer.json'));
    expectError((await checkModelFolder(a, 'qwen2.5-math-prm')).findings, 'tokenizer.json', undefined, /missing/u);
    const b = clone('qwen-prm');
    replace(join(b, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": ');
    expectError((await checkModelFolder(b, 'qwen2.5-math-prm')).findings, 'tokenizer.json / tokenizer_config.json', undefined, /cannot load the tokenizer/u);
    const c = clone('qwen-prm');
    replace(join(c, 'tokenizer.json'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 11422654\n');
    const lfs = expectError((await checkModelFolder(c, 'qwen2.5-math-prm')).findings, 'tokenizer.json', undefined, /cannot load/u);
    assert.match(lfs.fix ?? '', /git lfs pull/u);
    const d = clone('trl-prm');
    rmSync(join(d, 'tokenizer_config.json'));
    const r = await checkModelFolder(d);
    assert.ok(r.findings.some((f) => f.level === 'warning' && f.file === 'tokenizer_config.json'));
  });

  it('no ONNX model, a corrupt one, an LFS pointer', async () => {
    const a = clone('qwen-prm');
    rmSync(join(a, 'onnx'), { recursive: true });
    expectError((await checkModelFolder(a, 'qwen2.5-math-prm')).findings, 'onnx/model.onnx', undefined, /no ONNX model/u);
    const b = clone('qwen-prm');
    const bytes = readFileSync(join(b, 'onnx', 'model.onnx'));
    replace(join(b, 'onnx', 'model.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectError((await checkModelFolder(b, 'qwen2.5-math-prm')).findings, 'onnx/model.onnx', undefined, /not a readable ONNX model/u);
    const c = clone('qwen-prm');
    replace(join(c, 'onnx', 'model.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n');
    expectError((await checkModelFolder(c, 'qwen2.5-math-prm')).findings, 'onnx/model.onnx', undefined, /Git LFS pointer/u);
  });

  it('missing or truncated external data', async () => {
    const a = clone('math-shepherd-past');
    rmSync(join(a, 'onnx', 'model.onnx_data'));
    const missing = errors((await checkModelFolder(a, 'math-shepherd')).findings).find((f) => f.file === 'onnx/model.onnx_data' && /missing/u.test(f.message));
    assert.ok(missing?.field?.startsWith('initializer ') === true && (missing.fix ?? '').includes('model.onnx_data'), JSON.stringify(missing));
    const b = clone('math-shepherd-past');
    const data = join(b, 'onnx', 'model.onnx_data');
    const size = statSync(data).size;
    replace(data, readFileSync(data).subarray(0, size - 4096));
    const r = await checkModelFolder(b, 'math-shepherd');
    const truncated = errors(r.findings).find((f) => f.file === 'onnx/model.onnx_data' && /truncated/u.test(f.message));
    assert.ok(truncated?.field?.startsWith('initializer '), JSON.stringify(r.findings));
  });

  it('wrong graph input and output names', async () => {
    const a = clone('qwen-prm');
    replace(join(a, 'onnx', 'model.onnx'), oddGraph([['ids', 'int64'], ['mask', 'int64']], 'scores', ['batch_size', 'sequence_length']));
    const f = (await checkModelFolder(a, 'qwen2.5-math-prm')).findings;
    expectError(f, 'onnx/model.onnx', 'input_ids', /no input_ids input \(inputs: ids, mask\)/u);
    expectError(f, 'onnx/model.onnx', 'ids', /unsupported graph input ids/u);
    expectError(f, 'onnx/model.onnx', 'logits', /no logits output \(outputs: scores\)/u);
  });

  it('wrong input dtype and output rank', async () => {
    const a = clone('qwen-prm');
    replace(join(a, 'onnx', 'model.onnx'), oddGraph([['input_ids', 'float'], ['attention_mask', 'int64']], 'logits', ['batch_size', 'sequence_length']));
    const f = (await checkModelFolder(a, 'qwen2.5-math-prm')).findings;
    expectError(f, 'onnx/model.onnx', 'input_ids', /is float32, expected int64/u);
    expectError(f, 'onnx/model.onnx', 'logits', /token-classification PRM gives \[batch, sequence, labels\]/u);
  });

  it('an output that does not fit the chosen contract', async () => {
    const dir = testModel('qwen-prm').dir;
    expectError((await checkModelFolder(dir, 'skywork-reward-v2')).findings, 'onnx/model.onnx', 'logits', /sequence classifier gives \[batch, num_labels\]/u);
    expectError((await checkModelFolder(dir, 'skywork-o1-prm')).findings, 'onnx/model.onnx', 'logits', /value head gives/u);
    expectError((await checkModelFolder(dir, 'rlhflow-prm')).findings, 'onnx/model.onnx', 'logits', /2 columns, not a vocabulary/u);
    expectError((await checkModelFolder(testModel('skywork-reward-v2').dir, 'trl-prm')).findings, 'onnx/model.onnx', 'logits', /token-classification PRM/u);
  });

  it('a separator or tag that is not a single token of the folder\'s tokenizer', async () => {
    // trl-prm carries the stock Qwen3 tokenizer: no <extra_0>, and " ки" is two tokens.
    const dir = testModel('trl-prm').dir;
    const sep = expectError((await checkModelFolder(dir, 'qwen2.5-math-prm')).findings, 'tokenizer.json', 'separator', /"<extra_0>" is 5 tokens/u);
    assert.match(sep.fix ?? '', /tokenizer\.json shipped with the reward model/u);
    expectError((await checkModelFolder(dir, 'math-shepherd')).findings, 'tokenizer.json', 'stepTag', /not one token after a step/u);
  });

  it('a chat contract without a chat template', async () => {
    const a = clone('qwen-prm');
    const cfg = JSON.parse(readFileSync(join(a, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    delete cfg['chat_template'];
    replace(join(a, 'tokenizer_config.json'), JSON.stringify(cfg));
    expectError((await checkModelFolder(a, 'qwen2.5-math-prm')).findings, 'tokenizer_config.json', 'chat_template', /no chat_template/u);
  });

  it('reads the chat template from chat_template.jinja, as transformers 5 saves it (and prefers it)', async () => {
    const a = clone('qwen-prm');
    const cfg = JSON.parse(readFileSync(join(a, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const template = cfg['chat_template'];
    assert.equal(typeof template, 'string');
    delete cfg['chat_template'];
    replace(join(a, 'tokenizer_config.json'), JSON.stringify(cfg));
    writeFileSync(join(a, 'chat_template.jinja'), template as string);
    const ok = await checkModelFolder(a, 'qwen2.5-math-prm');
    assert.deepEqual(errors(ok.findings), []);
    const { model } = inspectModelFolder(a, 'qwen2.5-math-prm');
    assert.ok(model);
    assert.ok(model.files.some((f) => f.endsWith('chat_template.jinja')), 'the template file is part of the fingerprint');
    const rendered = model.tokenizer.renderChat([{ role: 'user', content: 'Q' }], false);
    assert.match(rendered, /<\|im_start\|>user\nQ<\|im_end\|>/u);
    // The .jinja file wins over tokenizer_config.json, as in transformers.
    writeFileSync(join(a, 'chat_template.jinja'), 'JINJA{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}');
    replace(join(a, 'tokenizer_config.json'), JSON.stringify({ ...cfg, chat_template: template }));
    const again = inspectModelFolder(a, 'qwen2.5-math-prm').model;
    assert.equal(again?.tokenizer.renderChat([{ role: 'user', content: 'Q' }], false), 'JINJA[user]Q');
    // Processor-style chat_template.json is read too.
    rmSync(join(a, 'chat_template.jinja'));
    writeFileSync(join(a, 'chat_template.json'), JSON.stringify({ chat_template: 'JSON{% for m in messages %}{{ m.content }}{% endfor %}' }));
    replace(join(a, 'tokenizer_config.json'), JSON.stringify(cfg));
    assert.equal(inspectModelFolder(a, 'qwen2.5-math-prm').model?.tokenizer.renderChat([{ role: 'user', content: 'Q' }], false), 'JSONQ');
  });

  it('a generator folder (task text-generation-with-past) is checked as a generator', async () => {
    const ok = await checkModelFolder(testModel('tiny-generator').dir);
    assert.equal(ok.contract, 'generator');
    assert.deepEqual(errors(ok.findings), []);
    assert.ok(ok.findings.some((f) => /KV cache/u.test(f.message)));
    // The same manifest over a graph without a cache (math-shepherd's no-past causal LM).
    const a = clone('math-shepherd');
    replace(join(a, 'reward-lens.json'), JSON.stringify({ model: 'onnx/model.onnx', task: 'text-generation-with-past' }));
    const bad = await checkModelFolder(a);
    const e = expectError(bad.findings, 'onnx/model.onnx', 'past_key_values', /needs past_key_values\.\* inputs/u);
    assert.match(e.fix ?? '', /--preset generator/u);
  });

  it('no preset, an unknown preset, and manifest mistakes', async () => {
    expectError((await checkModelFolder(testModel('math-shepherd').dir)).findings, 'reward-lens.json', 'preset', /no preset/u);
    expectError((await checkModelFolder(testModel('math-shepherd').dir, 'shepherd')).findings, '--preset', undefined, /unknown preset "shepherd"/u);
    const a = clone('qwen-prm');
    writeFileSync(join(a, 'reward-lens.json'), '{"preset": "qwen2.5-math-prm",');
    expectError((await checkModelFolder(a)).findings, 'reward-lens.json', undefined, /not valid JSON/u);
    const b = clone('qwen-prm');
    writeFileSync(join(b, 'reward-lens.json'), JSON.stringify({ preset: 'qwen-prm' }));
    expectError((await checkModelFolder(b)).findings, 'reward-lens.json', 'preset', /unknown preset "qwen-prm"/u);
    const c = clone('qwen-prm');
    writeFileSync(join(c, 'reward-lens.json'), JSON.stringify({ preset: 'qwen2.5-math-prm', params: { sep: 'x', labelIndex: -1 }, model: 'onnx/missing.onnx' }));
    const f = (await checkModelFolder(c)).findings;
    expectError(f, 'reward-lens.json', 'params.sep', /unknown parameter "sep"/u);
    expectError(f, 'reward-lens.json', 'params.labelIndex', /must be a non-negative integer/u);
    expectError(f, 'reward-lens.json', 'model', /does not exist/u);
    const d = clone('qwen-prm');
    writeFileSync(join(d, 'reward-lens.json'), JSON.stringify({ preset: 'qwen2.5-math-prm', params: { labelIndex: 2 } }));
    expectError((await checkModelFolder(d)).findings, 'onnx/model.onnx', 'logits', /2 classes, but the contract reads class 2/u);
  });

  it('a sequence classifier without pad_token_id is a warning (scored one at a time)', async () => {
    const a = clone('skywork-reward-v2');
    const cfg = JSON.parse(readFileSync(join(a, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete cfg['pad_token_id'];
    replace(join(a, 'config.json'), JSON.stringify(cfg));
    const r = await checkModelFolder(a, 'skywork-reward-v2');
    assert.equal(r.ok, true);
    assert.ok(r.findings.some((f) => f.level === 'warning' && f.field === 'pad_token_id'));
  });
});
