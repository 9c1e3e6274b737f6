-- `spending_rollup_compact` joins a person's rollup rows with the keys to fold. Right after a
-- large sync there are no statistics on the new rows yet, and the planner, expecting a handful
-- of keys, probed the (person, grain, period) index once per key and filtered every row of that
-- period: quadratic in the rows of a month. With four first syncs at once (make bench's scale
-- run) a compaction took 125–263 s. A hash join is linear whatever the statistics say.
alter function spending_rollup_compact(uuid) set enable_nestloop = off;
