"""Tests of courses, schedules and instructors."""
