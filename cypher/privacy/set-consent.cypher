// The person's own choice per purpose ($segmentation, $personalization, $marketing: null = unchanged). It is kept
// beside the value (consentByPerson…) so that it outranks what any later CRM import says (upsert-identities).
MATCH (u:User {id: $userId})
WITH u, [coalesce(u.consentSegmentation, true), coalesce(u.consentPersonalization, true), coalesce(u.consentMarketing, true)] AS before
SET u.consentSegmentation = coalesce($segmentation, u.consentSegmentation, true),
    u.consentByPerson = coalesce($segmentation, u.consentByPerson),
    u.consentPersonalization = coalesce($personalization, u.consentPersonalization),
    u.consentByPersonPersonalization = coalesce($personalization, u.consentByPersonPersonalization),
    u.consentMarketing = coalesce($marketing, u.consentMarketing),
    u.consentByPersonMarketing = coalesce($marketing, u.consentByPersonMarketing),
    u.updatedAt = datetime()
RETURN before,
       [coalesce(u.consentSegmentation, true), coalesce(u.consentPersonalization, true), coalesce(u.consentMarketing, true)] AS after
