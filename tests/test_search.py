from tui.core.search import next_match, text_matcher


def test_smart_case():
    lower, upper = text_matcher("sign in"), text_matcher("AAAh")
    assert lower("Sign In now") and lower("sign in")
    assert upper("id AAAh") and not upper("id AAAH") and not upper("id aaah")


def test_next_match_wraps_both_ways():
    words = ["a", "b", "a", "c"]
    is_a = lambda index: words[index] == "a"  # noqa: E731
    assert next_match(4, 0, True, is_a) == 2
    assert next_match(4, 2, True, is_a) == 0  # wraps past the end
    assert next_match(4, 0, False, is_a) == 2  # wraps past the start
    assert next_match(4, -1, True, is_a) == 0  # from before the first
    assert next_match(4, 0, True, lambda index: False) is None
