CREATE CONSTRAINT run_active_slot IF NOT EXISTS FOR (r:SegmentRun) REQUIRE r.activeSlot IS UNIQUE
