"""Whether a window can open is decided before Qt loads (Qt would abort the process)."""

from __future__ import annotations

from relapp.ui.environment import display_problem


def test_no_display_at_all_is_explained_with_the_headless_hint():
    problem = display_problem(env={}, platform="linux")
    assert "needs a graphical desktop" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem


def test_offscreen_and_other_platforms_need_no_display():
    assert display_problem(env={"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None
    assert display_problem(env={}, platform="win32") is None
    assert display_problem(env={}, platform="darwin") is None


def test_wayland_is_enough():
    assert display_problem(env={"WAYLAND_DISPLAY": "wayland-0"}, platform="linux") is None


def test_a_display_with_no_server_behind_it_is_named():
    problem = display_problem(env={"DISPLAY": ":987"}, platform="linux")
    assert problem == "Relapp cannot reach the display :987: no X server is running there."
