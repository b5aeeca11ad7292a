import cProfile, pstats, sys
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario
sc = load_scenario("configs/baseline_2024.toml")
RareEarthModel(sc, seed=1).run()
pr = cProfile.Profile(); pr.enable()
m = RareEarthModel(sc, seed=1); m.run()
pr.disable()
st = pstats.Stats(pr); st.sort_stats("tottime").print_stats(35)
