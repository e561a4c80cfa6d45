import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection.js';
const c = await Connection.connect({ address: '127.0.0.1:33109', [InternalConnectionOptionsSymbol]: { supportsTestService: true } });
for (let i = 0; i < 2; i++) {
  const { time } = await c.testService.getCurrentTime({});
  console.log(new Date(Number(time.seconds) * 1000).toISOString());
  await new Promise((r) => setTimeout(r, 3000));
}
const list = await c.workflowService.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 5 }).catch(e => e.message);
console.log(typeof list === 'string' ? list : list.executions?.length);
await c.close();
