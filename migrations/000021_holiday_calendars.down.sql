DROP TRIGGER holiday_calendars_notify ON holiday_calendars;
DROP FUNCTION holiday_calendars_notify();
DROP TABLE holiday_calendars;
