-- audit_log_append_only: Refuses UPDATE, DELETE and TRUNCATE of the audit trail: rows are only ever appended.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function audit_log_append_only()
returns trigger language plpgsql
as $$
   begin
     raise exception 'the audit trail is append-only (% refused)', tg_op using errcode = '55000';
   end $$;
