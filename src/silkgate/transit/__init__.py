"""Transit across partner administrations (NCTS phase 5, ASEAN ACTS, TIR/eTIR as anchors).

A transit movement is declared at the office of departure, secured by a
guarantee, and runs under customs control through the offices of transit of
partner administrations to the office of destination, where it ends; the
departure office then discharges it and frees the guarantee.

The core is pure: the declaration (:mod:`document`), its MRN (:mod:`mrn`),
the lifecycle as a transition table (:mod:`states`), the customs office
list and the itinerary's checks (:mod:`offices`, :mod:`itinerary`), the
duties at stake and the guarantee's arithmetic (:mod:`guarantee`), the
movement as one aggregate that raises events (:mod:`movement`,
:mod:`events`) and the payloads of the messages between nodes
(:mod:`messages`). ``services/`` holds the use cases.
"""
