// Keyed hashes of an erased person's identity keys and email hash: a later import, event or login names them again.
UNWIND $hashes AS hash
MERGE (s:Suppression {hash: hash})
  ON CREATE SET s.at = datetime()
