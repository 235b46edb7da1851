import {
  hostTarget as packagingHostTarget,
  type PackagedExtension,
  packageExtensionCached as packageCached,
  TEST_VSIX_DIR,
  type VsixTarget,
} from '../../../../scripts/packageExtension.js';

export type { PackagedExtension } from '../../../../scripts/packageExtension.js';

/** The vsce `--target` for the machine running the tests (`linux-x64`, `darwin-arm64`, …). */
export function hostTarget(): VsixTarget {
  return packagingHostTarget();
}

/**
 * The VSIX the suites install: the one `npm run package --target <target>` writes (scripts/packageExtension.ts, a
 * production build with only the target's native binaries), kept in .test-output/vsix/ and reused while its inputs
 * are unchanged (each suite file runs in its own process). REWARD_LENS_REPACKAGE=1 forces a new one.
 */
export function packageExtensionCached(target: VsixTarget = hostTarget()): PackagedExtension {
  return packageCached({ target, outDir: TEST_VSIX_DIR });
}
