MATCH (u:User {id: $userId})
// The person's own choice (consentByPerson) outranks what any later CRM import says (upsert-identities).
SET u.consentSegmentation = $segmentation, u.consentByPerson = $segmentation, u.updatedAt = datetime()
RETURN u.id AS id
