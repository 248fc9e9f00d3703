-- settlement_runs_permanent: Refuses DELETE of settlement runs: a run is part of the audit trail.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_runs_permanent()
returns trigger language plpgsql
as $$
   begin
     raise exception 'settlement runs are never deleted' using errcode = '55000';
   end $$;
