/**
 * Writes local/wiring.json from the CDK app's synthesised template (bundling skipped: only the
 * template is read). `--check` exits 1 when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { PodlifeStack } from '../infra/podlife-stack.ts';
import { wiringOfTemplate } from '../local/wiring.ts';

export function currentWiringText(): string {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, 'cli-telemetry': false },
  });
  const stack = new PodlifeStack(app, 'Podlife', {});
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(stack.stackName).template;
  return `${JSON.stringify(wiringOfTemplate(template), null, 2)}\n`;
}

const FILE = join(import.meta.dirname, '..', 'local', 'wiring.json');

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const text = currentWiringText();
  if (process.argv.includes('--check')) {
    if (readFileSync(FILE, 'utf8') !== text) {
      console.error('local/wiring.json is stale: run npm run local:wiring');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(FILE, text);
    console.log(`wrote ${FILE}`);
  }
}
