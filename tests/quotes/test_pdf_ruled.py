"""Ruled tables as pdfplumber hands them over (rows of cell texts): how they become quote lines."""

from segur_funding.quotes.pdf.ruled_lines import cell_text, rebuild_lines

HEADER = ["Désignation", "Périmètre", "Montant TTC"]
STATE = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"


def rows(*pages: list[list[str]], heading: str | None = None) -> list:
    return [(page, 0, heading, cells) for page, cells_list in enumerate(pages, 1) for cells in cells_list]


def test_scope_column_wrapped_labels_and_negative_state_funding():
    reading = rebuild_lines(
        rows(
            [
                HEADER,
                [cell_text("Droits\nd'utilisation\nSYSLAB 9 (SGL-\nV1)"), "Ségur", "12 000,00 €"],
                [
                    cell_text("Montant de la\nPrestation Ségur pris en charge par l'Etat au titre du Ségur"),
                    "Ségur",
                    "-12 000,00 €",
                ],
                ["Module statistiques", "Hors Ségur", "1 200,00 €"],
                ["Net à payer TTC", "", "1 200,00 €"],
            ]
        )
    )
    assert reading.checks == []
    assert reading.lines == [
        {
            "label": "Droits d'utilisation SYSLAB 9 (SGL-V1)",
            "scope": "segur",
            "dsr": ["SGL-V1"],
            "amount_ttc": "12000.00",
        },
        {"label": STATE, "scope": "state_funding", "amount_ttc": "12000.00"},
        {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
    ]


def test_row_cut_by_a_page_break_goes_on_under_the_repeated_header():
    reading = rebuild_lines(
        rows(
            [HEADER, ["Formation sur site n° 12 : prise en", "Ségur", "100,00 €"]],
            [HEADER, ["main des postes", "", ""], ["Installation", "Ségur", "200,00 €"]],
        )
    )
    assert [line["label"] for line in reading.lines] == [
        "Formation sur site n° 12 : prise en main des postes",
        "Installation",
    ]
    assert reading.checks == []


def test_amount_left_on_the_previous_page_joins_its_label():
    reading = rebuild_lines(
        rows(
            [HEADER, ["", "Ségur", "100,00 €"]],
            [HEADER, ["Formation sur site n° 27", "", ""]],
        )
    )
    assert reading.lines == [{"label": "Formation sur site n° 27", "amount_ttc": "100.00"}]


def test_section_heading_above_the_table_gives_the_scope():
    reading = rebuild_lines(
        rows([["Désignation", "Montant TTC"], ["Maintenance 6 ans", "9 940,00 €"]], heading="out_of_scope")
    )
    assert reading.lines[0]["scope"] == "out_of_scope"


def test_total_that_no_sum_of_the_lines_gives_is_a_manual_check():
    reading = rebuild_lines(
        rows([HEADER, ["Installation", "Ségur", "6 000,00 €"], ["Total TTC", "", "7 000,00 €"]])
    )
    assert reading.checks == [
        "Page 1 : le montant « Total TTC » indiqué (7 000,00 €) ne correspond à aucune somme des "
        "lignes lues : vérifiez le tableau."
    ]


def test_discount_in_the_segur_part_lowers_the_segur_line_above_it():
    reading = rebuild_lines(
        rows(
            [
                HEADER,
                ["Installation", "Ségur", "6 000,00 €"],
                ["Remise commerciale", "Ségur", "-1 000,00 €"],
                ["Total TTC", "", "5 000,00 €"],
            ]
        )
    )
    assert reading.lines == [{"label": "Installation", "scope": "segur", "amount_ttc": "5000.00"}]
    assert reading.checks == []


def test_discount_with_no_segur_line_above_it_is_a_manual_check_not_a_line():
    reading = rebuild_lines(rows([HEADER, ["Remise commerciale", "Ségur", "-1 000,00 €"]]))
    assert reading.lines == []
    assert "montant négatif" in reading.checks[0]


def test_grid_without_a_quote_header_is_not_a_quote_table():
    assert rebuild_lines(rows([["Nom", "Téléphone"], ["Mme Durand", "01 02 03 04 05"]])) is None
