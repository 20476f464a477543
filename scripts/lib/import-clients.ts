/**
 * Posts NDJSON profile bodies to POST /v1/imports/profiles from `clients` concurrent clients (each takes the next
 * body when its previous one is answered); any non-200 answer or rejected line stops the benchmark.
 */
export async function postImportBodies(
  baseUrl: string,
  key: string,
  bodies: string[],
  clients: number,
  onAnswer: (imported: number) => void,
): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${baseUrl}/v1/imports/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
        body,
      });
      const out = (await res.json()) as { imported: number; rejected: unknown[] };
      if (res.status !== 200 || out.rejected.length) throw new Error(`import failed: ${res.status} ${JSON.stringify(out).slice(0, 500)}`);
      onAnswer(out.imported);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}
