// Identity stitching: an existing Identity keeps its User; a new one joins the User with the same email hash,
// else a new User (row.newId is a fresh UUID, or shared by rows of one batch with the same email hash).
UNWIND $rows AS row
MERGE (i:Identity {key: row.key})
  ON CREATE SET i.source = row.source, i.externalId = row.externalId
WITH row, i
OPTIONAL MATCH (i)-[:IDENTIFIES]->(known:User)
OPTIONAL MATCH (byEmail:User {emailHash: row.emailHash})
WITH row, i, known, min(byEmail.id) AS emailUserId
MERGE (u:User {id: coalesce(known.id, emailUserId, row.newId)})
  ON CREATE SET u.createdAt = datetime(), u.updatedAt = datetime(), u.consentSegmentation = coalesce(row.consent, true)
// Consent per purpose before this row (a new person starts from the default: everything given), for the history.
WITH row, i, known, emailUserId, u,
     CASE WHEN known IS NULL AND emailUserId IS NULL THEN [true, true, true]
          ELSE [coalesce(u.consentSegmentation, true), coalesce(u.consentPersonalization, true), coalesce(u.consentMarketing, true)]
     END AS consentBefore
MERGE (i)-[:IDENTIFIES]->(u)
SET u.name = coalesce(row.name, u.name),
    u.emailHash = coalesce(row.emailHash, u.emailHash),
    // A choice the person made on their own page outranks the CRM's flag, purpose by purpose.
    u.consentSegmentation = coalesce(u.consentByPerson, row.consent, u.consentSegmentation),
    u.consentPersonalization = coalesce(u.consentByPersonPersonalization, row.consentPersonalization, u.consentPersonalization),
    u.consentMarketing = coalesce(u.consentByPersonMarketing, row.consentMarketing, u.consentMarketing)
// The person's identities of this source (more than one after stitching: see src/ingest/snapshots.ts).
RETURN row.idx AS idx, u.id AS userId, known IS NULL AND emailUserId IS NULL AS created,
       [(u)<-[:IDENTIFIES]-(o:Identity {source: row.source}) | {key: o.key, snapshot: o.snapshot}] AS sourceIdentities,
       consentBefore,
       [coalesce(u.consentSegmentation, true), coalesce(u.consentPersonalization, true), coalesce(u.consentMarketing, true)] AS consentAfter
