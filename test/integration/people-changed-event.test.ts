import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultClusterer } from '#core/pipeline/deps.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { createClusterHandler } from '../../functions/cluster/handler.ts';
import {
  PEOPLE_CHANGED,
  peopleChangedPublisher,
  type PeopleChangedDetail,
} from '../../functions/cluster/people-events.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, alicePhotos } from './setup/users.ts';

// A clustering run on the emulators announces the user's new people with one `people.changed`
// event (EventBridge PutEvents over its wire protocol, received by a local endpoint that records
// requests, since no EventBridge emulator runs here): counts and churn, no names or face ids. An
// endpoint that fails does not fail the run.
interface PutEventsBody {
  Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[];
}

describeWithData('people.changed', () => {
  let p: Pipeline;
  let server: Server;
  const received: PutEventsBody[] = [];
  let failing = false;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents' || failing) {
          res
            .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'InternalException', message: 'down' }));
          return;
        }
        received.push(JSON.parse(body) as PutEventsBody);
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: String(received.length) }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    p = await startPipeline('people-changed');
    for (const photo of alicePhotos().slice(0, 4)) await p.upload(ALICE, photo.fileName, photo.bytes);
    expect(await p.settle()).toEqual([]);
  }, 600_000);
  afterAll(async () => {
    await p?.stop();
    server?.close();
  });

  it('publishes one event per user per run, and a failing bus does not fail the run', async () => {
    const port = (server.address() as AddressInfo).port;
    const client = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const cluster = createClusterHandler({
      ...p.runtime,
      cluster: defaultClusterer,
      modelId: p.local.analyzer.embedderId,
      onClustered: peopleChangedPublisher(client, 'default', p.runtime.logger),
    });
    await p.runtime.faces.markNeedsClustering(ALICE); // settle() clustered once already: ask again
    await p.clusterSchedule();
    expect((await cluster({ Records: await p.clusterQueue.drain() })).batchItemFailures).toEqual([]);

    expect(received).toHaveLength(1);
    const entry = received[0]!.Entries[0]!;
    expect(entry).toMatchObject({
      EventBusName: 'default',
      Source: PEOPLE_CHANGED.source,
      DetailType: PEOPLE_CHANGED.detailType,
    });
    const detail = JSON.parse(entry.Detail) as PeopleChangedDetail;
    const people = await p.runtime.faces.listPeople(ALICE);
    expect(detail).toMatchObject({
      userId: ALICE,
      people: people.length,
      churn: expect.objectContaining({ confirmed_changed: 0, faces_changed: 0 }),
    });
    expect(people.length).toBeGreaterThanOrEqual(2);
    expect(entry.Detail).not.toContain('#'); // no face ids

    failing = true;
    await p.runtime.faces.markNeedsClustering(ALICE);
    await p.clusterSchedule();
    expect((await cluster({ Records: await p.clusterQueue.drain() })).batchItemFailures).toEqual([]);
    expect(await p.runtime.faces.listUsersNeedingClustering()).toEqual([]);
    expect(received).toHaveLength(1);
  });
});
