from tui.core.catalog import TYPES, Category, Format, kind_of

# Every type named in the Skyvern reference, by sidebar category.
REFERENCE = {
    Category.VISUAL: "recording screenshot screenshot_llm screenshot_action screenshot_final screenshot_pre_submit",
    Category.AI: "llm_prompt llm_request llm_response llm_response_parsed llm_response_rendered",
    Category.STRUCTURE: (
        "visible_elements_tree visible_elements_tree_trimmed visible_elements_tree_in_prompt "
        "visible_elements_id_css_map visible_elements_id_frame_map visible_elements_id_xpath_map "
        "hashed_href_map html html_scrape html_action html_pre_submit"
    ),
    Category.LOGS: "skyvern_log skyvern_log_raw browser_console_log",
    Category.NETWORK: "har trace",
    Category.FILES: "script_file pdf download step_archive task_archive audio",
}


def test_every_reference_type_is_catalogued_in_its_category():
    for category, names in REFERENCE.items():
        for name in names.split():
            assert name in TYPES, name
            assert TYPES[name].category is category, name


def test_extensions_match_what_skyvern_writes():
    # Skyvern's FILE_EXTENTSION_MAP (skyvern/forge/sdk/artifact/storage/base.py)
    expected = {
        "recording": "webm", "browser_console_log": "log", "screenshot_llm": "png",
        "llm_prompt": "txt", "llm_request": "json", "visible_elements_tree_in_prompt": "txt",
        "html_scrape": "html", "trace": "zip", "har": "har", "skyvern_log": "log",
        "skyvern_log_raw": "json",
    }
    for name, ext in expected.items():
        assert TYPES[name].ext == ext, name


def test_unknown_type_lands_in_files_and_keeps_a_format_from_its_extension():
    kind = kind_of("screenshot_of_the_future", "png")
    assert kind.category is Category.FILES
    assert kind.format is Format.IMAGE
    assert not kind.known
    assert kind_of("unknown").format is Format.BINARY


def test_run_level_types():
    assert kind_of("recording").run_level and kind_of("har").run_level
    assert not kind_of("llm_prompt").run_level
