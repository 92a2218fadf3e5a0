"""Placeholder (filled in next)."""

from fastapi import APIRouter

router = APIRouter()
