// Test helper: what is left, anywhere in the graph, of an erased person's topics, event ids and the links they made.
CALL () { MATCH (t:Topic) WHERE t.id IN $topicIds RETURN count(t) AS topics }
CALL () { MATCH (t:Topic) WHERE t.category = $category RETURN count(t) AS categorized }
CALL () { MATCH (t:Topic)-[m:IN_SEGMENT]->() WHERE t.id IN $topicIds RETURN count(m) AS memberships }
CALL () { MATCH (t:Topic)-[r:RELATED]-() WHERE t.id IN $topicIds RETURN count(r) AS related }
CALL () { MATCH (:Topic {id: $shared})-[r:RELATED]-(b:Topic) WHERE b.id IN $soleLinked RETURN count(r) AS soleLinks }
CALL () { MATCH (e:Event) WHERE e.id IN $eventIds RETURN count(e) AS events }
CALL () { MATCH (s:Segment) WHERE any(id IN $topicIds WHERE s.topTopics CONTAINS id) RETURN count(s) AS topTopics }
CALL () { MATCH (c:ConsentChange) WHERE c.userId = $userId RETURN count(c) AS consentChanges }
RETURN topics, categorized, memberships, related, soleLinks, events, topTopics, consentChanges
