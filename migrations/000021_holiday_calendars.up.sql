-- 000021_holiday_calendars: the holiday arrangements an admin uploads in the console (a year's
-- days off and 调休 make-up working days, in the configs/holidays YAML format, kept as uploaded).
-- They are read on start on top of the holiday files, an uploaded year replacing the file of the
-- same year. The arrangement is national, but each organisation keeps the calendar its deadlines
-- are counted on (org_id, like every table). A change notifies every server process on channel
-- wugongkai_calendar, which reloads its calendar at once.
CREATE TABLE holiday_calendars (
    org_id       bigint      NOT NULL REFERENCES orgs(id),
    year         integer     NOT NULL CHECK (year BETWEEN 1949 AND 9999),
    file         text        NOT NULL,
    source       text        NOT NULL,
    uploaded_at  timestamptz NOT NULL,
    uploaded_by  text        NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE FUNCTION holiday_calendars_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('wugongkai_calendar', '');
	RETURN NULL;
END $$;

CREATE TRIGGER holiday_calendars_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON holiday_calendars
	FOR EACH STATEMENT EXECUTE FUNCTION holiday_calendars_notify();
