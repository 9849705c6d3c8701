import Jobs from "./jobs";

// A server component that renders the client component (which the server
// renders too, so the package is imported on the server as well).
export default function Home() {
  return (
    <main>
      <h1>Jobs</h1>
      <Jobs />
    </main>
  );
}
