"""The diversification levers: supply projects, learning, environmental standards, recycling."""
