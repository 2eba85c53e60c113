// The forecasting core (arrival-rate models, quantiles, drift) is built in Sources/Forecast.
