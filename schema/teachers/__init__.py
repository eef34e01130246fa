"""Teachers and the teacher competency standard in GraphQL (教师人工智能教学胜任力)."""

from schema.teachers.query import TeacherMutation, TeacherQuery

__all__ = ["TeacherMutation", "TeacherQuery"]
