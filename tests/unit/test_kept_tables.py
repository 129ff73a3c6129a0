"""ui.common keeps the marshalled form of its shared tables (issue 21: a third of a fiche page's server time):
what st.dataframe sends must stay byte for byte what Streamlit itself would send."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa


def _frame():
    return pd.DataFrame({"Indicateur": ["Taux de pauvreté", None], "Valeur": [49.2, None], "Année": [2021, 2019]})


def test_a_shared_table_is_sent_as_streamlit_sends_it():
    from streamlit.elements import arrow
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler as streamlits_own
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from ui import common

    assert getattr(arrow.marshall_styler, "keeps", False)     # the name st.dataframe calls is the keeping one
    kept = common._rendered_once(common.fr_styler(_frame(), {"Valeur": (1, "%")}))
    sent = []
    for _ in range(3):                                         # first run marshals, the next ones copy
        proto = ArrowData()
        arrow.marshall_styler(proto, kept, "42")
        sent.append(proto.styler.SerializeToString())
    assert kept._marshalled == sent[0]
    fresh = common.fr_styler(_frame(), {"Valeur": (1, "%")}).set_uuid(kept.uuid)
    own = ArrowData()
    streamlits_own(own, fresh, "42")
    assert sent[0] == sent[1] == sent[2] == own.styler.SerializeToString()
    shown = pa.ipc.open_stream(own.styler.display_values).read_all().to_pydict()
    assert shown["Valeur"] == ["49,2 %", "—"] and shown["Indicateur"] == ["Taux de pauvreté", "—"]


def test_another_styler_is_marshalled_at_every_run():
    from streamlit.elements import arrow
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from ui import common

    plain = common.fr_styler(_frame(), {"Valeur": (1, "%")})
    proto = ArrowData()
    arrow.marshall_styler(proto, plain, "42")
    assert not hasattr(plain, "_marshalled") and proto.styler.display_values
