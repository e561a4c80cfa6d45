/**
 * Replays every recorded history in test/replay/histories against today's workflow code:
 * a change that would make a running workflow nondeterministic fails here, before it
 * reaches a server where cases have been running for months.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal/worker';
import * as workflows from '../../src/workflows';
import { TEST_DATA_CONVERTER } from '../support/data-converter';
import { historiesDir } from '../support/histories';

const files = readdirSync(historiesDir).filter((file) => file.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  it('has a recorded history of every workflow the worker runs', () => {
    const recorded = new Set(files.map((file) => file.split('.')[0]));
    expect(Object.keys(workflows).filter((name) => !recorded.has(name))).toEqual([]);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(historiesDir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowsPath, replayName: file, dataConverter: TEST_DATA_CONVERTER }, history, file)).resolves.toBeUndefined();
  });
});
