/// The dashboard for people who would rather look than read: the summary figures and bar charts
/// drawn as SVG from the JSON reports, with no third-party code or network access beyond this
/// service. Invariant: when every chart is drawn the body carries `data-ready="true"`; a report
/// that fails shows its error on the page and sets `data-error`.
enum DashboardPage {
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Retail OMS insights</title>
        <style>
          body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 24px; color: #1d2733; background: #f6f7f9; }
          h1 { font-size: 22px; margin: 0 0 16px; }
          .kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 20px; }
          .kpi { background: #fff; border-radius: 8px; padding: 10px 16px; min-width: 140px; box-shadow: 0 1px 2px #0002; }
          .kpi b { display: block; font-size: 20px; }
          .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
          section.chart { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; }
          section.chart h2 { font-size: 15px; margin: 0 0 8px; }
          svg text { font-size: 11px; fill: #1d2733; }
          rect.bar { fill: #3b6fd8; }
          #errors { color: #b3261e; }
        </style>
        </head>
        <body>
        <h1>Retail OMS insights</h1>
        <div id="errors"></div>
        <div class="kpis" id="kpis"></div>
        <div class="grid">
          <section class="chart" id="revenue-by-day" data-report="/v1/insights/sales?by=day" data-label="day" data-value="revenueFen" data-money="true"><h2>Revenue by day (Asia/Shanghai)</h2></section>
          <section class="chart" id="orders-by-channel" data-report="/v1/insights/sales?by=channel" data-label="channel" data-value="orders"><h2>Orders by channel</h2></section>
          <section class="chart" id="revenue-by-province" data-report="/v1/insights/sales?by=province" data-label="province" data-value="revenueFen" data-money="true"><h2>Revenue by province</h2></section>
          <section class="chart" id="revenue-by-category" data-report="/v1/insights/sales?by=category" data-label="category" data-value="revenueFen" data-money="true"><h2>Revenue by category</h2></section>
          <section class="chart" id="delay-by-carrier" data-report="/v1/insights/fulfillment?by=carrier" data-label="carrier" data-value="delayRate" data-percent="true"><h2>Delay rate by carrier</h2></section>
          <section class="chart" id="returns-by-category" data-report="/v1/insights/returns?by=category" data-label="category" data-value="returnRate" data-percent="true"><h2>Return rate by category</h2></section>
          <section class="chart" id="complaints-by-carrier" data-report="/v1/insights/complaints?by=carrier" data-label="carrier" data-value="complaints"><h2>Complaints by carrier</h2></section>
          <section class="chart" id="customer-segments" data-report="/v1/insights/customers/segments" data-label="segment" data-value="customers"><h2>Customers by RFM segment</h2></section>
        </div>
        <script src="/v1/insights/dashboard.js"></script>
        </body>
        </html>
        """

    static let script = """
        "use strict";
        const svgNS = "http://www.w3.org/2000/svg";

        // Fen to yuan with integer arithmetic only: money is never a float here either.
        function yuan(fen) {
          const sign = fen < 0 ? "-" : "";
          const abs = Math.abs(fen);
          const whole = Math.floor(abs / 100).toString().replace(/\\B(?=(\\d{3})+(?!\\d))/g, ",");
          return sign + "¥" + whole + "." + String(abs % 100).padStart(2, "0");
        }
        function percent(rate) { return rate == null ? "–" : (Math.round(rate * 1000) / 10) + "%"; }

        function element(name, attributes, text) {
          const node = document.createElementNS(svgNS, name);
          for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
          if (text !== undefined) node.textContent = text;
          return node;
        }

        // The analyst's API token comes in the page address's fragment (#token=…), which browsers
        // never send to servers or put in Referer headers; it is sent only with these fetches.
        const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";

        async function fetchJSON(path) {
          const headers = { "Accept": "application/json" };
          if (token) headers["Authorization"] = "Bearer " + token;
          const response = await fetch(path, { headers: headers, credentials: "omit" });
          if (!response.ok) throw new Error(path + " answered " + response.status);
          return response.json();
        }

        function drawBars(section, rows, labelKey, valueKey, money, asPercent) {
          const shown = rows.filter(row => row[valueKey] != null).slice(0, 12);
          const width = 400, rowHeight = 22, labelWidth = 130, valueWidth = 90;
          const svg = element("svg", { width: width, height: Math.max(rowHeight, shown.length * rowHeight), role: "img" });
          const max = Math.max(...shown.map(row => Number(row[valueKey])), 0);
          shown.forEach((row, index) => {
            const value = Number(row[valueKey]);
            const barWidth = max > 0 ? Math.max(1, (width - labelWidth - valueWidth) * value / max) : 1;
            const y = index * rowHeight;
            svg.appendChild(element("text", { x: 0, y: y + 15 }, String(row[labelKey])));
            const bar = element("rect", { class: "bar", x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8 });
            bar.appendChild(element("title", {}, String(row[labelKey]) + ": " + String(row[valueKey])));
            svg.appendChild(bar);
            const shownValue = money ? yuan(value) : asPercent ? percent(value) : String(value);
            svg.appendChild(element("text", { x: labelWidth + barWidth + 6, y: y + 15, class: "value" }, shownValue));
          });
          if (shown.length === 0) {
            const empty = document.createElement("p");
            empty.textContent = "No data yet.";
            section.appendChild(empty);
          }
          section.appendChild(svg);
          section.dataset.bars = String(shown.length);
        }

        async function drawSummary() {
          const summary = await fetchJSON("/v1/insights/summary");
          const figures = [
            ["Orders accepted", String(summary.ordersAccepted)],
            ["Revenue", yuan(summary.revenueFen)],
            ["Average order", yuan(summary.averageOrderValueFen)],
            ["Refunded", yuan(summary.refundedFen)],
            ["Parcels shipped", String(summary.shipments)],
            ["Backorder rate", percent(summary.backorderRate)],
          ];
          const holder = document.getElementById("kpis");
          for (const [name, value] of figures) {
            const box = document.createElement("div");
            box.className = "kpi";
            const bold = document.createElement("b");
            bold.textContent = value;
            box.appendChild(bold);
            box.appendChild(document.createTextNode(name));
            holder.appendChild(box);
          }
          document.body.dataset.revenueFen = String(summary.revenueFen);
        }

        async function main() {
          const errors = [];
          const work = [drawSummary().catch(error => errors.push(error.message))];
          for (const section of document.querySelectorAll("section.chart")) {
            work.push(fetchJSON(section.dataset.report)
              .then(report => drawBars(section, report.rows, section.dataset.label, section.dataset.value,
                                       section.dataset.money === "true", section.dataset.percent === "true"))
              .catch(error => errors.push(error.message)));
          }
          await Promise.all(work);
          if (errors.length > 0) {
            document.getElementById("errors").textContent = errors.join("; ");
            document.body.dataset.error = errors.join("; ");
          }
          document.body.dataset.ready = "true";
        }
        main();
        """
}
