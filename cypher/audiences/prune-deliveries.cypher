// The delivery log keeps $days days of successful deliveries (failed ones stay until their destination goes).
MATCH (dl:Delivery)
WHERE dl.deliveredAt < datetime() - duration({days: toInteger($days)})
WITH dl LIMIT toInteger($limit)
DELETE dl
RETURN count(*) AS done
